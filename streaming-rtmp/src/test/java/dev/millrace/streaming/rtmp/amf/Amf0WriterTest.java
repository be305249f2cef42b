package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.compact;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.ecma;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.object;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.readAll;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.written;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.millrace.streaming.rtmp.RtmpLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Section numbers are those of the Adobe AMF0 specification. */
class Amf0WriterTest {

    private final Amf0Reader reader = Amf0Reader.of(RtmpLimits.DEFAULT);

    @Test
    void writesEveryNumberTypeAsADouble() {
        assertThat(written(1.0)).isEqualTo(compact("00 3ff0000000000000"));        // 2.2
        assertThat(written(7)).isEqualTo(compact("00 401c000000000000"));          // Integer 7 = 1.75 * 2^2
        assertThat(written(1280L)).isEqualTo(compact("00 4094000000000000"));      // Long 1280 = 1.25 * 2^10
        assertThat(written(0.5f)).isEqualTo(compact("00 3fe0000000000000"));       // Float 0.5 = 2^-1
        assertThat(written((short) -2)).isEqualTo(compact("00 c000000000000000")); // Short -2 = -1 * 2^1
    }

    @Test
    void writesBooleans() {
        assertThat(written(true, false)).isEqualTo(compact("01 01  01 00"));       // 2.3
    }

    @Test
    void writesStringsAsUtf8WithAU16Length() {
        assertThat(written("")).isEqualTo(compact("02 0000"));                     // 2.4
        assertThat(written("live")).isEqualTo(compact("02 0004 6c697665"));
        assertThat(written("c\u00e9\u20ac")).isEqualTo(compact("02 0006 63 c3a9 e282ac")); // 1 + 2 + 3 bytes
    }

    @Test
    void writesALongStringMarkerOnlyAboveA65535ByteUtf8Form() {
        String fits = "a".repeat(65535);
        assertThat(written(fits)).isEqualTo(compact("02 ffff") + utf8(fits));       // 2.4: U16 65535
        String over = "a".repeat(65536);
        assertThat(written(over)).isEqualTo(compact("0c 00010000") + utf8(over));   // 2.14: U32 65536
        // The limit is on UTF-8 bytes, not chars: 21845 euro signs are 65535 bytes, 21846 are 65538.
        String euros = "\u20ac".repeat(21845);
        assertThat(written(euros)).startsWith(compact("02 ffff e282ac"));
        assertThat(written(euros + "\u20ac")).startsWith(compact("0c 00010002 e282ac"));
    }

    @Test
    void writesNullUndefinedAndUnsupported() {
        assertThat(written(null, AmfUndefined.INSTANCE, AmfUnsupported.INSTANCE))
                .isEqualTo(compact("05 06 0d"));                                     // 2.7, 2.8, 2.15
    }

    @Test
    void writesAnObjectInInsertionOrder() {
        assertThat(written(object("z", 2.0, "app", "live"))).isEqualTo(compact(""
                + "03"                                         // 2.5 object
                + "0001 7a 00 4000000000000000"                // "z": 2.0
                + "0003 617070 02 0004 6c697665"               // "app": "live"
                + "00 00 09"));                                // 2.11 end
        assertThat(written(object())).isEqualTo(compact("03 000009"));
    }

    @Test
    void writesAnyOtherMapAsAnObject() {
        Map<String, Object> map = new TreeMap<>();
        map.put("b", true);
        map.put("a", null);
        assertThat(written(map)).isEqualTo(compact("03 0001 61 05 0001 62 01 01 000009"));
    }

    @Test
    void writesAnEcmaArrayWithItsExactCount() {
        assertThat(written(ecma("width", 1280.0, "height", 720.0))).isEqualTo(compact(""
                + "08 00000002"                                // 2.10 ECMA array, U32 count 2
                + "0005" + utf8("width") + "00 4094000000000000"
                + "0006" + utf8("height") + "00 4086800000000000"
                + "00 00 09"));
        assertThat(written(ecma())).isEqualTo(compact("08 00000000 000009"));
    }

    @Test
    void writesAListAsAStrictArray() {
        assertThat(written(Arrays.asList(1.0, "a", null))).isEqualTo(compact(""
                + "0a 00000003"                                // 2.12 strict array, U32 count 3
                + "00 3ff0000000000000 02 0001 61 05"));
        assertThat(written(List.of())).isEqualTo(compact("0a 00000000"));
    }

    @Test
    void writesDatesXmlAndTypedObjects() {
        assertThat(written(new AmfDate(1000.0, -120)))
                .isEqualTo(compact("0b 408f400000000000 ff88"));                     // 2.13: DOUBLE, S16
        assertThat(written(new AmfXml("<a>b</a>")))
                .isEqualTo(compact("0f 00000008" + utf8("<a>b</a>")));               // 2.17: U32 length
        assertThat(written(new AmfTypedObject("Item", object("n", 1.0)))).isEqualTo(compact(""
                + "10 0004" + utf8("Item")                     // 2.18: class name
                + "0001 6e 00 3ff0000000000000"                // "n": 1.0
                + "00 00 09"));
    }

    @Test
    void writesTheConnectCommandAnFfmpegPublisherSends() {
        assertThat(written("connect", 1.0, object(
                "app", "live",
                "type", "nonprivate",
                "flashVer", "FMLE/3.0 (compatible; Lavf61.7.100)",
                "tcUrl", "rtmp://127.0.0.1:1935/live")))
                .isEqualTo(compact(AmfVectors.FFMPEG_CONNECT));
    }

    @Test
    void reEncodesRealEncoderOutputByteForByte() {
        for (String body : List.of(AmfVectors.FFMPEG_8_0_1_CAPTURED_CONNECT, AmfVectors.OBS_CONNECT)) {
            List<Object> values = readAll(reader, body);
            assertThat(written(values.toArray())).isEqualTo(compact(body));
        }
    }

    @Test
    void writesMetadataForPlayersWithTheExactEcmaCount() {
        List<Object> values = readAll(reader, AmfVectors.OBS_SET_DATA_FRAME);
        assertThat(written(values.get(1), values.get(2))).isEqualTo(compact(""
                + "02 000a" + utf8("onMetaData")
                + "08 00000004"                                // the exact count, not OBS's 20
                + "0008" + utf8("duration") + "00 0000000000000000"
                + "0005" + utf8("width") + "00 4094000000000000"
                + "0006" + utf8("height") + "00 4086800000000000"
                + "000c" + utf8("videocodecid") + "00 401c000000000000"
                + "00 00 09"));
    }

    @Test
    void roundTripsEveryType() {
        AmfObject nested = object("n", -0.0, "s", "\u00e9", "u", AmfUndefined.INSTANCE);
        List<Object> values = Arrays.asList(
                Double.NaN, true, "live", "x".repeat(70000), null, AmfUndefined.INSTANCE, AmfUnsupported.INSTANCE,
                object("a", nested, "b", List.of(1.0, ecma("k", false))),
                ecma("duration", 12.5),
                new AmfDate(1.5e12, 0),
                new AmfXml("<x/>"),
                new AmfTypedObject("Item", object("id", 3.0)));
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            for (Object value : values) {
                Amf0Writer.write(out, value);
            }
            List<Object> read = new Amf0Reader(8, 1 << 20, 100).readAll(out);
            assertThat(read).isEqualTo(values);
            assertThat(read.get(8)).isExactlyInstanceOf(AmfEcmaArray.class);
            assertThat(read.get(7)).isExactlyInstanceOf(AmfObject.class);
        } finally {
            out.release();
        }
    }

    @Test
    void refusesValuesWithoutAnAmf0EncodingAndLeavesTheBufferUnchanged() {
        Map<Object, Object> integerKey = new TreeMap<>();
        integerKey.put(1, "x");
        AmfObject cycle = new AmfObject();
        cycle.put("self", cycle);
        List<Object> deep = new ArrayList<>();
        List<Object> innermost = deep;
        for (int i = 0; i < Amf0Reader.MAX_DEPTH_CEILING; i++) {
            List<Object> next = new ArrayList<>();
            innermost.add(next);
            innermost = next;
        }
        List<Object> bad = Arrays.asList(
                new byte[] {1},
                new Object(),
                integerKey,
                object("k".repeat(65536), 1.0),
                new AmfTypedObject("c".repeat(65536), object()),
                object("ok", 1.0, "bad", Thread.currentThread()),
                cycle,
                deep);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            out.writeByte(0x42);
            for (Object value : bad) {
                Throwable e = catchThrowable(() -> Amf0Writer.write(out, value));
                assertThat(e).as(value.getClass().getName()).isInstanceOf(IllegalArgumentException.class);
                assertThat(out.readableBytes()).isEqualTo(1);
            }
        } finally {
            out.release();
        }
    }

    @Test
    void writesNestingUpToTheDepthCeiling() {
        List<Object> deep = new ArrayList<>();
        List<Object> innermost = deep;
        for (int i = 1; i < Amf0Reader.MAX_DEPTH_CEILING; i++) {
            List<Object> next = new ArrayList<>();
            innermost.add(next);
            innermost = next;
        }
        // MAX_DEPTH_CEILING nested strict arrays: each 0a + count 1, the innermost with count 0.
        String expected = compact("0a 00000001").repeat(Amf0Reader.MAX_DEPTH_CEILING - 1) + compact("0a 00000000");
        assertThat(written(deep)).isEqualTo(expected);
    }
}
