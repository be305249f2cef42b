package dev.millrace.streaming.rtmp.amf;

import java.util.Objects;

/**
 * An AMF XML value (AMF0 2.17 XML document marker 0x0F, AMF3 3.9 XMLDocument 0x07 and 3.13 XML 0x0B), kept as the
 * text that was sent. It is never parsed: no XML parser ever sees peer input.
 *
 * @param text the document text, decoded as UTF-8
 */
public record AmfXml(String text) {
    public AmfXml {
        Objects.requireNonNull(text, "text");
    }
}
