package dev.millrace.streaming.rtmp.amf;

import java.util.LinkedHashMap;

/**
 * An anonymous AMF object (AMF0 2.5, AMF3 3.12 with an empty class name): property names to values in wire order.
 * Values follow the model described in the package documentation. Keys are case-sensitive. A repeated key keeps
 * its first position and its last value.
 *
 * <p>Equality is {@link java.util.Map} equality, so an {@code AmfObject} equals an {@link AmfEcmaArray} with the
 * same entries; check the class where the distinction matters.
 */
public class AmfObject extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;

    public AmfObject() {
    }
}
