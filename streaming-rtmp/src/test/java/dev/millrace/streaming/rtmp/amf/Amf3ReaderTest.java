package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.ecma;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.object;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.read3;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.readAll;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.refusedAmf0;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.refusedAmf3;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.RtmpLimits;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AMF3 (Adobe AMF3 specification; section numbers below are its) alone and behind the AMF0 0x11 marker. */
class Amf3ReaderTest {

    private final Amf3Reader reader = Amf3Reader.of(RtmpLimits.DEFAULT);
    private final Amf0Reader amf0 = Amf0Reader.of(RtmpLimits.DEFAULT);

    @Test
    void decodesUndefinedNullFalseAndTrue() {
        assertThat(read3(reader, "00")).isEqualTo(AmfUndefined.INSTANCE); // 3.2
        assertThat(read3(reader, "01")).isNull();                         // 3.3
        assertThat(read3(reader, "02")).isEqualTo(false);                 // 3.4
        assertThat(read3(reader, "03")).isEqualTo(true);                  // 3.5
    }

    @Test
    void decodesIntegersOfEveryU29LengthAsDoubles() {
        assertThat(read3(reader, "04 00")).isEqualTo(0.0);                // 3.6, 1.3.1: one byte
        assertThat(read3(reader, "04 7f")).isEqualTo(127.0);
        assertThat(read3(reader, "04 81 00")).isEqualTo(128.0);           // two bytes: 1 << 7
        assertThat(read3(reader, "04 ff 7f")).isEqualTo(16383.0);         // 0x7f << 7 | 0x7f
        assertThat(read3(reader, "04 81 80 00")).isEqualTo(16384.0);      // three bytes: 1 << 14
        assertThat(read3(reader, "04 bf ff ff ff")).isEqualTo(268435455.0); // four bytes: 2^28 - 1, the largest
        assertThat(read3(reader, "04 c0 80 80 00")).isEqualTo(-268435456.0); // bit 28 set: -2^28, the smallest
        assertThat(read3(reader, "04 ff ff ff ff")).isEqualTo(-1.0);      // all 29 bits set
    }

    @Test
    void decodesDoubles() {
        assertThat(read3(reader, "05 3ff0000000000000")).isEqualTo(1.0); // 3.7
    }

    @Test
    void decodesStringsAndStringReferences() {
        assertThat(read3(reader, "06 01")).isEqualTo("");                 // 3.8: UTF-8-empty
        assertThat(read3(reader, "06 09" + utf8("live"))).isEqualTo("live"); // 4 << 1 | 1
        Object list = read3(reader, ""
                + "09 07 01"                                  // 3.11 array, 3 dense values
                + "06 09" + utf8("live")                      //   string [0] "live"
                + "06 01"                                     //   "" (never added to the table)
                + "06 00");                                   //   string reference 0
        assertThat(list).isEqualTo(List.of("live", "", "live"));
    }

    @Test
    void decodesXmlDocumentsAndXmlWithoutParsingThem() {
        assertThat(read3(reader, "07 11" + utf8("<a>b</a>"))).isEqualTo(new AmfXml("<a>b</a>")); // 3.9, 8 << 1 | 1
        assertThat(read3(reader, "0b 11" + utf8("<a>b</a>"))).isEqualTo(new AmfXml("<a>b</a>")); // 3.13
    }

    @Test
    void decodesDates() {
        assertThat(read3(reader, "08 01 408f400000000000"))               // 3.10: U29D-value 1, 1000.0 ms
                .isEqualTo(new AmfDate(1000.0, 0));
    }

    @Test
    void decodesByteArrays() {
        assertThat(read3(reader, "0c 07 010203")).isEqualTo(new byte[] {1, 2, 3}); // 3.14: 3 << 1 | 1
        assertThat(read3(reader, "0c 01")).isEqualTo(new byte[0]);
    }

    @Test
    void decodesADenseArrayAsAList() {
        Object value = read3(reader, "09 05 01 04 01 06 03 61");          // 3.11: 2 dense, no associative part
        assertThat(value).isEqualTo(List.of(1.0, "a"));
        assertThat(read3(reader, "09 01 01")).isEqualTo(List.of());
    }

    @Test
    void decodesAnArrayWithAnAssociativePartAsAnEcmaArrayWithTheDenseValuesLast() {
        Object value = read3(reader, ""
                + "09 05"                                     // 3.11 array, 2 dense values
                + "03 62 03"                                  //   "b": true
                + "03 61 02"                                  //   "a": false
                + "01"                                        //   end of the associative part
                + "04 05"                                     //   [0] = 5
                + "01");                                      //   [1] = null
        assertThat(value).isExactlyInstanceOf(AmfEcmaArray.class)
                .isEqualTo(ecma("b", true, "a", false, "0", 5.0, "1", null));
        assertThat(((AmfEcmaArray) value).keySet()).containsExactly("b", "a", "0", "1");
    }

    @Test
    void decodesAnonymousObjectsWithSealedAndDynamicMembers() {
        Object value = read3(reader, ""
                + "0a 1b"                                     // 3.12 object, traits: 1 sealed << 4 | dynamic | 3
                + "01"                                        //   class name "" (anonymous)
                + "03 61"                                     //   sealed name "a"
                + "04 01"                                     //   a = 1
                + "03 62 06 03 78"                            //   dynamic "b" = "x"
                + "01");                                      //   end of dynamic members
        assertThat(value).isExactlyInstanceOf(AmfObject.class).isEqualTo(object("a", 1.0, "b", "x"));
    }

    @Test
    void decodesTypedObjectsWithoutInstantiatingAnything() {
        Object value = read3(reader, ""
                + "0a 13"                                     // 3.12 object, traits: 1 sealed, not dynamic
                + "0b" + utf8("Point")                        //   class name, 5 << 1 | 1
                + "03 78"                                     //   sealed name "x"
                + "04 02");                                   //   x = 2
        assertThat(value).isEqualTo(new AmfTypedObject("Point", object("x", 2.0)));
    }

    @Test
    void decodesVectors() {
        assertThat(read3(reader, "0d 05 00 ffffffff 00000002"))           // 3.15 int vector: S32 -1, 2
                .isEqualTo(List.of(-1.0, 2.0));
        assertThat(read3(reader, "0e 03 01 ffffffff"))                    // uint vector, fixed: U32 2^32-1
                .isEqualTo(List.of(4294967295.0));
        assertThat(read3(reader, "0f 03 00 3ff0000000000000"))            // double vector
                .isEqualTo(List.of(1.0));
        assertThat(read3(reader, "10 05 00 01 06 03 61 01"))              // object vector, type name "", "a", null
                .isEqualTo(Arrays.asList("a", null));
    }

    @Test
    void resolvesObjectReferencesToTheSameInstance() {
        List<?> list = (List<?>) read3(reader, ""
                + "09 05 01"                                  // array: object table [0]
                + "0a 0b 01 03 61 03 01"                      //   dynamic anonymous object {a: true}: table [1]
                + "0a 02");                                   //   U29O-ref 1 << 1
        assertThat(list.get(0)).isEqualTo(object("a", true));
        assertThat(list.get(1)).isSameAs(list.get(0));
    }

    @Test
    void resolvesReferencesToDatesXmlAndByteArrays() {
        List<?> list = (List<?>) read3(reader, ""
                + "09 0d 01"                                  // array, 6 dense: object table [0]
                + "08 01 408f400000000000"                    //   date: [1]
                + "07 03 78"                                  //   XMLDocument "x": [2]
                + "0c 03 07"                                  //   byte array {7}: [3]
                + "08 02 07 04 0c 06");                       //   references to [1], [2], [3]
        assertThat(list.get(3)).isSameAs(list.get(0));
        assertThat(list.get(4)).isSameAs(list.get(1));
        assertThat(list.get(5)).isSameAs(list.get(2));
    }

    @Test
    void refusesAReferenceToAnObjectStillBeingRead() {
        assertThat(refusedAmf3(reader, "0a 0b 01 09" + utf8("self") + "0a 00 01"))
                .hasMessageContaining("still being read");
        assertThat(refusedAmf3(reader, "09 03 01 09 00")).hasMessageContaining("still being read");
    }

    @Test
    void refusesReferencesBeyondTheirTables() {
        assertThat(refusedAmf3(reader, "06 00")).hasMessageContaining("reference 0 but only 0 strings read");
        assertThat(refusedAmf3(reader, "0a 00")).hasMessageContaining("reference 0 but only 0 objects read");
        assertThat(refusedAmf3(reader, "0a 01")).hasMessageContaining("traits reference 0 but only 0 traits read");
    }

    @Test
    void startsEachReadWithEmptyReferenceTables() {
        assertThat(read3(reader, "06 09" + utf8("live"))).isEqualTo("live");
        assertThat(refusedAmf3(reader, "06 00")).hasMessageContaining("reference 0 but only 0 strings read");
    }

    @Test
    void refusesExternalizableObjectsAndDictionaries() {
        assertThat(refusedAmf3(reader, "0a 07 0b" + utf8("Point") + "00")).hasMessageContaining("externalizable");
        assertThat(refusedAmf3(reader, "11 03 00")).hasMessageContaining("dictionary");
    }

    @Test
    void refusesUnknownMarkersAndTruncation() {
        assertThat(refusedAmf3(reader, "12")).hasMessageContaining("unknown AMF3 type marker 0x12");
        assertThat(refusedAmf3(reader, "04 ff ff")).hasMessageContaining("truncated AMF3 U29");
        assertThat(refusedAmf3(reader, "05 3ff0")).hasMessageContaining("truncated AMF3 double");
        assertThat(refusedAmf3(reader, "06 09 6c69")).hasMessageContaining("declares 4 bytes, 2 present");
        assertThat(refusedAmf3(reader, "0a 1b 01 03 61")).hasMessageContaining("truncated AMF3 type marker");
        assertThat(refusedAmf3(reader, "0d 05 00 ffffffff")).hasMessageContaining("truncated AMF3 int vector");
        assertThat(refusedAmf3(reader, "0c 07 0102")).hasMessageContaining("declares 3 bytes, 2 present");
    }

    // -------------------------------------------------------------------------------------- behind AMF0 0x11

    @Test
    void switchesToAmf3ForExactlyOneValueWithSealedDynamicAndReferencedMembers() {
        List<Object> values = readAll(amf0, AmfVectors.AVMPLUS_OBJECTS);
        assertThat(values).hasSize(2);
        assertThat(values.get(1)).isNull();
        List<?> list = (List<?>) values.get(0);
        assertThat(list).hasSize(3);
        assertThat(list.get(0)).isExactlyInstanceOf(AmfObject.class).isEqualTo(object(
                "app", "live", "tcUrl", "rtmp://localhost/live", "flashVer", "LNX 9,0,124,2"));
        assertThat(((AmfObject) list.get(0)).keySet()).containsExactly("app", "tcUrl", "flashVer");
        assertThat(list.get(1)).isEqualTo(object(
                "app", "live", "tcUrl", "rtmp://localhost/live", "capabilities", 239.0));
        assertThat(((AmfObject) list.get(1)).keySet()).containsExactly("app", "tcUrl", "capabilities");
        assertThat(list.get(2)).isSameAs(list.get(0));
    }

    @Test
    void decodesACommandWhoseObjectIsAnAmf3Value() {
        List<Object> values = readAll(amf0, ""
                + "02 0007" + utf8("connect")                 // AMF0 string "connect"
                + "00 3ff0000000000000"                       // AMF0 number 1.0
                + "11"                                        // AMF0 avmplus-object-marker: the next value is AMF3
                + "0a 0b 01"                                  //   3.12 object, dynamic, no sealed members, ""
                + "07" + utf8("app") + "06 09" + utf8("live") //   "app": "live"
                + "01"                                        //   end of dynamic members
                + "05");                                      // AMF0 null
        assertThat(values).containsExactly("connect", 1.0, object("app", "live"), null);
    }

    @Test
    void givesEachSwitchedValueItsOwnReferenceTables() {
        // E2: the switch is not sticky, so a string table entry of one AMF3 value is gone in the next.
        assertThat(refusedAmf0(amf0, "11 06 09" + utf8("live") + "11 06 00"))
                .hasMessageContaining("reference 0 but only 0 strings read");
    }

    @Test
    void keepsAmf0ReferencesApartFromAmf3Objects() {
        // The AMF3 object is not in the AMF0 table: AMF0 reference 0 names the AMF0 object after it.
        List<Object> values = readAll(amf0, "11 0a 0b 01 01  03 0001 61 05 000009  07 0000");
        assertThat(values.get(2)).isSameAs(values.get(1));
        assertThat(refusedAmf0(amf0, "11 0a 0b 01 01  07 0000")).hasMessageContaining("reference 0 but only 0");
    }
}
