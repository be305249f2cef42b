/**
 * AMF0 and AMF3, the serialization of RTMP command and data messages (Adobe AMF0 and AMF3 specifications; enhanced
 * RTMP v2 section "Action Message Format (AMF): AMF0 and AMF3", cited here as E2).
 *
 * <h2>Value model</h2>
 * Both readers decode into plain Java values, and {@link dev.millrace.streaming.rtmp.amf.Amf0Writer} encodes the
 * same values:
 * <table>
 *   <caption>AMF type to Java type</caption>
 *   <tr><th>AMF</th><th>Java</th></tr>
 *   <tr><td>number (AMF0 0x00), AMF3 double (0x05) and AMF3 integer (0x04)</td><td>{@link java.lang.Double}:
 *       one number type for callers</td></tr>
 *   <tr><td>boolean (AMF0 0x01), AMF3 false/true (0x02, 0x03)</td><td>{@link java.lang.Boolean}</td></tr>
 *   <tr><td>string, long string (AMF0 0x02, 0x0C), AMF3 string (0x06)</td><td>{@link java.lang.String}, decoded
 *       as UTF-8 (malformed sequences become U+FFFD)</td></tr>
 *   <tr><td>null (AMF0 0x05, AMF3 0x01)</td><td>{@code null}</td></tr>
 *   <tr><td>undefined (AMF0 0x06, AMF3 0x00)</td><td>{@link dev.millrace.streaming.rtmp.amf.AmfUndefined#INSTANCE}</td></tr>
 *   <tr><td>anonymous object (AMF0 0x03; AMF3 0x0A with an empty class name)</td>
 *       <td>{@link dev.millrace.streaming.rtmp.amf.AmfObject}, insertion-ordered</td></tr>
 *   <tr><td>ECMA array (AMF0 0x08); AMF3 array (0x09) with an associative part</td>
 *       <td>{@link dev.millrace.streaming.rtmp.amf.AmfEcmaArray}; for AMF3 the associative members, then the dense
 *       values under "0", "1", ...</td></tr>
 *   <tr><td>strict array (AMF0 0x0A); dense-only AMF3 array; AMF3 vectors (0x0D-0x10)</td>
 *       <td>{@link java.util.List} (vector numbers as Double)</td></tr>
 *   <tr><td>date (AMF0 0x0B, AMF3 0x08)</td><td>{@link dev.millrace.streaming.rtmp.amf.AmfDate}</td></tr>
 *   <tr><td>XML document (AMF0 0x0F), AMF3 XMLDocument and XML (0x07, 0x0B)</td>
 *       <td>{@link dev.millrace.streaming.rtmp.amf.AmfXml}, never parsed</td></tr>
 *   <tr><td>typed object (AMF0 0x10; AMF3 0x0A with a class name)</td>
 *       <td>{@link dev.millrace.streaming.rtmp.amf.AmfTypedObject}: the class name is data, nothing is
 *       instantiated or loaded</td></tr>
 *   <tr><td>unsupported (AMF0 0x0D)</td><td>{@link dev.millrace.streaming.rtmp.amf.AmfUnsupported#INSTANCE}</td></tr>
 *   <tr><td>AMF3 byte array (0x0C)</td><td>{@code byte[]} (read only; AMF0 cannot encode it)</td></tr>
 *   <tr><td>AMF0 reference (0x07), AMF3 object references</td><td>the same Java instance as the value
 *       referred to</td></tr>
 * </table>
 *
 * <h2>Refused input</h2>
 * Every refusal is a {@link dev.millrace.streaming.rtmp.RtmpProtocolException} with reason {@code BAD_AMF}: AMF0
 * movieclip (0x04) and recordset (0x0E), the object end marker outside an object, unknown markers, AMF3
 * externalizable objects, AMF3 dictionaries, references to values not yet read or still being read (cycles),
 * truncation, and any breach of the limits (depth, string bytes, element count, expansion through references; see
 * {@link dev.millrace.streaming.rtmp.amf.Amf0Reader}).
 *
 * <h2>Leniency</h2>
 * Where real encoders are sloppy the readers accept:
 * <ul>
 *   <li>an ECMA array whose count is wrong (OBS writes 20 whatever the size): the count is ignored and the array
 *       read to its end marker;</li>
 *   <li>an AMF0 object, typed object or ECMA array that ends exactly at the end of the buffer without its end
 *       marker {@code 00 00 09}, or with only its first one or two bytes;</li>
 *   <li>an AMF0 property with an empty name that is not followed by 0x09: kept under the key {@code ""};</li>
 *   <li>any non-zero AMF0 boolean byte as true.</li>
 * </ul>
 *
 * <h2>AMF3 inside AMF0</h2>
 * The AMF0 marker 0x11 switches to AMF3 for exactly one value, which starts with empty AMF3 reference tables
 * (AMF0 avmplus-object-marker; E2: the switch is not sticky). RTMP message types 15 and 17 carry a format byte 0x00 before such
 * AMF0 values; skipping it is the caller's job.
 */
package dev.millrace.streaming.rtmp.amf;
