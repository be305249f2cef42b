package dev.millrace.streaming.rtmp.amf;

/**
 * An AMF0 ECMA array (AMF0 2.10, marker 0x08): an associative array, written with a count before its properties.
 * Readers ignore the count (it is advisory; OBS writes 20 whatever the size) and read to the end marker;
 * {@link Amf0Writer} writes the exact count. An AMF3 array with an associative part (AMF3 3.11) also decodes to
 * this type: the associative members first, then the dense values under the keys {@code "0"}, {@code "1"}, ...
 */
public final class AmfEcmaArray extends AmfObject {
    private static final long serialVersionUID = 1L;

    public AmfEcmaArray() {
    }
}
