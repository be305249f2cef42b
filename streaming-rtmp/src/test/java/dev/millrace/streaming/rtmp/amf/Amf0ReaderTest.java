package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.bytes;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.ecma;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.object;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.read0;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.readAll;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.refusedAmf0;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

class Amf0ReaderTest {

    private final Amf0Reader reader = Amf0Reader.of(RtmpLimits.DEFAULT);

    private static final AmfObject FFMPEG_CONNECT_OBJECT = object(
            "app", "live",
            "type", "nonprivate",
            "flashVer", "FMLE/3.0 (compatible; Lavf61.7.100)",
            "tcUrl", "rtmp://127.0.0.1:1935/live");

    // ------------------------------------------------------------------------------------------- each AMF0 type

    @Test
    void decodesNumbers() {
        assertThat(read0(reader, "00 3ff0000000000000")).isEqualTo(1.0);           // 2.2: 1.0
        assertThat(read0(reader, "00 c00c000000000000")).isEqualTo(-3.5);          // -1.75 * 2^1
        assertThat(read0(reader, "00 7ff8000000000000")).isEqualTo(Double.NaN);    // quiet NaN
        assertThat(read0(reader, "00 8000000000000000")).isEqualTo(-0.0);          // sign bit only
    }

    @Test
    void decodesBooleansTreatingAnyNonZeroByteAsTrue() {
        assertThat(read0(reader, "01 00")).isEqualTo(false); // 2.3: 0 is false
        assertThat(read0(reader, "01 01")).isEqualTo(true);
        assertThat(read0(reader, "01 7f")).isEqualTo(true);  // 2.3: <> 0 is true
    }

    @Test
    void decodesStringsAsUtf8() {
        assertThat(read0(reader, "02 0000")).isEqualTo("");                        // 2.4: U16 length 0
        assertThat(read0(reader, "02 0004 6c697665")).isEqualTo("live");
        assertThat(read0(reader, "02 0006 63 c3a9 e282ac")).isEqualTo("c\u00e9\u20ac"); // 1 + 2 + 3 bytes
    }

    @Test
    void replacesMalformedUtf8WithReplacementCharacters() {
        assertThat(read0(reader, "02 0003 61 ff 62")).isEqualTo("a\ufffdb");      // 0xff is never valid UTF-8
    }

    @Test
    void decodesLongStrings() {
        assertThat(read0(reader, "0c 00000003 616263")).isEqualTo("abc");           // 2.14: U32 length 3
        assertThat(read0(reader, "0c 00000000")).isEqualTo("");
    }

    @Test
    void decodesNullUndefinedAndUnsupported() {
        assertThat(readAll(reader, "05 06 0d"))                                     // 2.7, 2.8, 2.15
                .containsExactly(null, AmfUndefined.INSTANCE, AmfUnsupported.INSTANCE);
    }

    @Test
    void decodesAnObjectKeepingPropertyOrder() {
        Object value = read0(reader, ""
                + "03"                                         // 2.5 object
                + "0001 7a 00 4000000000000000"                // "z": 2.0
                + "0001 61 01 01"                              // "a": true
                + "0001 6d 05"                                 // "m": null
                + "00 00 09");                                 // 2.11 end
        assertThat(value).isExactlyInstanceOf(AmfObject.class).isEqualTo(object("z", 2.0, "a", true, "m", null));
        assertThat(((AmfObject) value).keySet()).containsExactly("z", "a", "m");
    }

    @Test
    void keepsTheLastValueOfARepeatedPropertyAtItsFirstPosition() {
        Object value = read0(reader, "03 0001 61 00 3ff0000000000000 0001 62 05 0001 61 00 4000000000000000 000009");
        assertThat(((AmfObject) value).keySet()).containsExactly("a", "b");
        assertThat(((AmfObject) value).get("a")).isEqualTo(2.0);
    }

    @Test
    void decodesAnEmptyObject() {
        assertThat(read0(reader, "03 000009")).isExactlyInstanceOf(AmfObject.class).isEqualTo(object());
    }

    @Test
    void keepsAPropertyWithAnEmptyNameThatIsNotTheEndMarker() {
        Object value = read0(reader, "03 0000 02 0001 78 000009"); // "" : "x", then the end
        assertThat(value).isEqualTo(object("", "x"));
    }

    @Test
    void decodesAnEcmaArrayWithItsExactCount() {
        Object value = read0(reader, ""
                + "08 00000002"                                // 2.10 ECMA array, count 2
                + "0005" + utf8("width") + "00 4094000000000000"   // 1280.0
                + "0006" + utf8("height") + "00 4086800000000000"  // 720.0
                + "00 00 09");
        assertThat(value).isExactlyInstanceOf(AmfEcmaArray.class).isEqualTo(ecma("width", 1280.0, "height", 720.0));
    }

    @Test
    void readsAnEcmaArrayToItsEndMarkerWhateverItsCountSays() {
        assertThat(readAll(reader, AmfVectors.OBS_SET_DATA_FRAME)).containsExactly(
                "@setDataFrame",
                "onMetaData",
                ecma("duration", 0.0, "width", 1280.0, "height", 720.0, "videocodecid", 7.0));
        assertThat(read0(reader, "08 00000000 0001 61 05 000009")).isEqualTo(ecma("a", null)); // count 0, one member
        assertThat(read0(reader, "08 ffffffff 000009")).isEqualTo(ecma());                   // count 2^32-1, none
    }

    @Test
    void decodesAStrictArray() {
        Object value = read0(reader, ""
                + "0a 00000003"                                // 2.12 strict array, count 3
                + "00 3ff0000000000000"                        // 1.0
                + "02 0001 61"                                 // "a"
                + "05");                                       // null
        assertThat(value).isInstanceOf(List.class);
        assertThat(value).isEqualTo(java.util.Arrays.asList(1.0, "a", null));
        assertThat(read0(reader, "0a 00000000")).isEqualTo(List.of());
    }

    @Test
    void decodesADate() {
        assertThat(read0(reader, "0b 408f400000000000 ff88"))  // 2.13: 1000.0 ms, S16 time zone -120
                .isEqualTo(new AmfDate(1000.0, -120));
        assertThat(read0(reader, "0b 0000000000000000 0000")).isEqualTo(new AmfDate(0.0, 0));
    }

    @Test
    void decodesAnXmlDocumentWithoutParsingIt() {
        assertThat(read0(reader, "0f 00000008" + utf8("<a>b</a>")))  // 2.17: U32 length 8
                .isEqualTo(new AmfXml("<a>b</a>"));
        assertThat(read0(reader, "0f 00000003" + utf8("<a<")))       // not well-formed: kept as text
                .isEqualTo(new AmfXml("<a<"));
    }

    @Test
    void decodesATypedObjectWithoutInstantiatingAnything() {
        Object value = read0(reader, ""
                + "10 0010" + utf8("java.lang.Thread")     // 2.18 typed object, class name (16 bytes)
                + "0001 6e 00 3ff0000000000000"            // "n": 1.0
                + "00 00 09");
        assertThat(value).isEqualTo(new AmfTypedObject("java.lang.Thread", object("n", 1.0)));
    }

    // ----------------------------------------------------------------------------------------------- references

    @Test
    void resolvesAReferenceToTheSameInstance() {
        List<Object> values = readAll(reader, ""
                + "0a 00000002"                                // 2.12 strict array: reference table [0]
                + "03 0001 61 00 3ff0000000000000 000009"      //   object {a: 1.0}: table [1]
                + "07 0001");                                  //   2.9 reference to table [1]
        List<?> list = (List<?>) values.get(0);
        assertThat(list.get(0)).isEqualTo(object("a", 1.0));
        assertThat(list.get(1)).isSameAs(list.get(0));
    }

    @Test
    void sharesTheReferenceTableAcrossTheValuesOfOneMessage() {
        List<Object> values = readAll(reader, "03 0001 61 05 000009  07 0000");
        assertThat(values.get(1)).isSameAs(values.get(0));
    }

    @Test
    void refusesAReferenceToAnObjectStillBeingRead() {
        RtmpProtocolException e = refusedAmf0(reader, "03 0004" + utf8("self") + "07 0000 000009");
        assertThat(e).hasMessageContaining("still being read");
    }

    @Test
    void refusesAReferenceToAnObjectNotYetRead() {
        assertThat(refusedAmf0(reader, "07 0000")).hasMessageContaining("reference 0 but only 0 objects read");
        assertThat(refusedAmf0(reader, "03 000009 07 0001")).hasMessageContaining("reference 1 but only 1");
    }

    // -------------------------------------------------------------------------------------------- refused types

    @Test
    void refusesReservedMovieclipAndRecordsetMarkers() {
        assertThat(refusedAmf0(reader, "04")).hasMessageContaining("movieclip");  // 2.6
        assertThat(refusedAmf0(reader, "0e")).hasMessageContaining("recordset");  // 2.16
    }

    @Test
    void refusesAnObjectEndMarkerOutsideAnObject() {
        assertThat(refusedAmf0(reader, "09")).hasMessageContaining("outside an object");
    }

    @Test
    void refusesUnknownMarkers() {
        assertThat(refusedAmf0(reader, "12")).hasMessageContaining("unknown AMF0 type marker 0x12");
        assertThat(refusedAmf0(reader, "ff")).hasMessageContaining("unknown AMF0 type marker 0xff");
    }

    @Test
    void refusesAnEmptyBufferForASingleValue() {
        ByteBuf in = AmfTestSupport.buffer("");
        try {
            Throwable e = catchThrowable(() -> reader.read(in));
            assertThat(e).isInstanceOf(RtmpProtocolException.class).hasMessageContaining("truncated AMF0 type marker");
        } finally {
            in.release();
        }
    }

    @Test
    void readsNothingFromAnEmptyMessage() {
        assertThat(readAll(reader, "")).isEmpty();
    }

    // -------------------------------------------------------------------------------------- truncation, leniency

    @Test
    void refusesTruncatedScalars() {
        assertThat(refusedAmf0(reader, "00 3ff00000")).hasMessageContaining("truncated AMF0 number");
        assertThat(refusedAmf0(reader, "01")).hasMessageContaining("truncated AMF0 boolean");
        assertThat(refusedAmf0(reader, "02 00")).hasMessageContaining("truncated AMF0 string length");
        assertThat(refusedAmf0(reader, "02 0005 6c69")).hasMessageContaining("declares 5 bytes, 2 present");
        assertThat(refusedAmf0(reader, "0b 408f400000000000 ff")).hasMessageContaining("truncated AMF0 date");
        assertThat(refusedAmf0(reader, "0a 000000")).hasMessageContaining("truncated AMF0 strict array count");
        assertThat(refusedAmf0(reader, "0a 00000002 05")).hasMessageContaining("declares 2 elements, 1 bytes left");
        assertThat(refusedAmf0(reader, "0a 00000002 00 3ff0")).hasMessageContaining("truncated AMF0 number");
        assertThat(refusedAmf0(reader, "07 00")).hasMessageContaining("truncated AMF0 reference index");
    }

    @Test
    void acceptsAnObjectThatEndsAtTheEndOfTheBufferWithoutItsEndMarker() {
        assertThat(read0(reader, "03 0003 617070 02 0004 6c697665")).isEqualTo(object("app", "live"));
        assertThat(read0(reader, "03 0003 617070 02 0004 6c697665 00")).isEqualTo(object("app", "live"));
        assertThat(read0(reader, "03 0003 617070 02 0004 6c697665 0000")).isEqualTo(object("app", "live"));
        assertThat(read0(reader, "03")).isEqualTo(object());
    }

    @Test
    void acceptsAnEcmaArrayAndNestedObjectsThatEndAtTheEndOfTheBuffer() {
        List<Object> values = readAll(reader, ""
                + "02 000a" + utf8("onMetaData")
                + "08 00000001 0001 61"                        // ECMA array, "a":
                + "03 0001 62 01 01");                         //   object {b: true}, then the buffer ends
        assertThat(values).containsExactly("onMetaData", ecma("a", object("b", true)));
        assertThat(values.get(1)).isExactlyInstanceOf(AmfEcmaArray.class);
    }

    @Test
    void refusesAnObjectWhoseEndMarkerIsMissingBeforeMoreData() {
        // Without 00 00 09 the next value's marker and length are read as a property name length (0x0200).
        assertThat(refusedAmf0(reader, "03 0003 617070 02 0004 6c697665  02 0002 6869"))
                .hasMessageContaining("AMF0 property name");
    }

    @Test
    void refusesAnObjectCutInsideAPropertyName() {
        assertThat(refusedAmf0(reader, "03 0003 6170")).hasMessageContaining("declares 3 bytes, 2 present");
        assertThat(refusedAmf0(reader, "03 01")).hasMessageContaining("truncated AMF0 property name length");
    }

    @Test
    void refusesAnObjectCutAfterAPropertyName() {
        assertThat(refusedAmf0(reader, "03 0003 617070")).hasMessageContaining("truncated AMF0 type marker");
    }

    // ---------------------------------------------------------------------------------------- real command bodies

    @Test
    void decodesTheConnectCommandOfAnFfmpegPublisher() {
        List<Object> values = readAll(reader, AmfVectors.FFMPEG_CONNECT);
        assertThat(values).containsExactly("connect", 1.0, FFMPEG_CONNECT_OBJECT);
        assertThat(values.get(2)).isExactlyInstanceOf(AmfObject.class);
        assertThat(((AmfObject) values.get(2)).keySet()).containsExactly("app", "type", "flashVer", "tcUrl");
    }

    @Test
    void decodesTheConnectCommandCapturedFromFfmpeg801() {
        List<Object> values = readAll(reader, AmfVectors.FFMPEG_8_0_1_CAPTURED_CONNECT);
        assertThat(values).containsExactly("connect", 1.0, object(
                "app", "live",
                "type", "nonprivate",
                "flashVer", "FMLE/3.0 (compatible; Lavf62.3.100)",
                "tcUrl", "rtmp://127.0.0.1:33051/live"));
    }

    @Test
    void decodesAnObsStyleConnectCommandWithAFourCcList() {
        List<Object> values = readAll(reader, AmfVectors.OBS_CONNECT);
        assertThat(values).containsExactly("connect", 1.0, object(
                "app", "live",
                "type", "nonprivate",
                "flashVer", "FMLE/3.0 (compatible; FMSc/1.0)",
                "swfUrl", "rtmp://127.0.0.1:1935/live",
                "tcUrl", "rtmp://127.0.0.1:1935/live",
                "fourCcList", List.of("av01", "vp09", "hvc1")));
    }

    @Test
    void decodesAConnectCommandObjectSentAsAnEcmaArray() {
        List<Object> values = readAll(reader, ""
                + "02 0007" + utf8("connect")
                + "00 3ff0000000000000"
                + "08 00000002"                                // 2.10 ECMA array instead of an object
                + "0003" + utf8("app") + "02 0004" + utf8("live")
                + "0005" + utf8("tcUrl") + "02 001a" + utf8("rtmp://127.0.0.1:1935/live")
                + "00 00 09");
        assertThat(values.get(2)).isExactlyInstanceOf(AmfEcmaArray.class).isInstanceOf(AmfObject.class);
        assertThat(values.get(2)).isEqualTo(object("app", "live", "tcUrl", "rtmp://127.0.0.1:1935/live"));
    }

    @Test
    void decodesExtraArgumentsAfterTheConnectCommandObject() {
        List<Object> values = readAll(reader, ""
                + "02 0007" + utf8("connect")
                + "00 3ff0000000000000"
                + "03 0003" + utf8("app") + "02 0004" + utf8("live") + "000009"
                + "01 01"                                      // librtmp SendConnectPacket: auth flag true
                + "02 0006" + utf8("secret"));                 //   and the auth string
        assertThat(values).containsExactly("connect", 1.0, object("app", "live"), true, "secret");
    }

    @Test
    void decodesTheSameValuesFromACompositeBufferSplitAtEveryOffset() {
        byte[] body = bytes(AmfVectors.FFMPEG_CONNECT);
        for (int split = 0; split <= body.length; split++) {
            CompositeByteBuf in = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
            try {
                in.addComponent(true, AmfTestSupport.buffer(java.util.Arrays.copyOfRange(body, 0, split)));
                in.addComponent(true, AmfTestSupport.buffer(java.util.Arrays.copyOfRange(body, split, body.length)));
                assertThat(reader.readAll(in)).as("split at %d", split)
                        .containsExactly("connect", 1.0, FFMPEG_CONNECT_OBJECT);
                assertThat(in.readableBytes()).isZero();
            } finally {
                in.release();
            }
        }
    }

    @Test
    void refusesEveryTruncationOfTheConnectBodyInsideAValueOrAcceptsItAtAValueBoundary() {
        byte[] body = bytes(AmfVectors.FFMPEG_CONNECT);
        // Cuts after which the prefix is a whole sequence of values, counting the leniency for an object that ends
        // at the end of the buffer without its end marker or with its first byte or two: after "connect" (10), after
        // the number (19), after the object marker (20) and after each whole property (32, 51, 99, 135), each also
        // one byte later where the next name length starts with 00 (21, 33, 52, 100, 136), and at 00 00 (137).
        List<Integer> accepted = List.of(0, 10, 19, 20, 21, 32, 33, 51, 52, 99, 100, 135, 136, 137);
        for (int cut = 0; cut < body.length; cut++) {
            ByteBuf in = AmfTestSupport.buffer(java.util.Arrays.copyOf(body, cut));
            try {
                Throwable e = catchThrowable(() -> reader.readAll(in));
                if (accepted.contains(cut)) {
                    assertThat(e).as("cut at %d", cut).isNull();
                } else {
                    assertThat(e).as("cut at %d", cut).isInstanceOf(RtmpProtocolException.class);
                    assertThat(((RtmpProtocolException) e).reason()).isEqualTo(RtmpProtocolException.Reason.BAD_AMF);
                }
            } finally {
                in.release();
            }
        }
        assertThat(body.length).isEqualTo(138);
    }
}
