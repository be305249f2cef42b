package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.compact;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.ecma;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.object;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.readAll;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;
import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.RtmpLimits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmfMetadataTest {

    @Test
    void keepsNumbersBooleansStringsAndObjectsAndDropsEverythingElse() {
        Map<Object, Object> plainMap = new LinkedHashMap<>();
        plainMap.put("k", 2);                                  // an Integer: becomes 2.0
        plainMap.put(3, "a key that is not a string");
        AmfEcmaArray metadata = ecma(
                "duration", 0.0,
                "width", 1280.0,
                "videocodecid", 7.0,
                "audiocodecid", "mp4a",
                "stereo", true,
                "encoder", "obs-output module (libobs version 30.0.0)",
                "creationdate", new AmfDate(1000.0, 0),
                "undefinedValue", AmfUndefined.INSTANCE,
                "nullValue", null,
                "unsupported", AmfUnsupported.INSTANCE,
                "xml", new AmfXml("<a/>"),
                "typed", new AmfTypedObject("T", object()),
                "keyframes", List.of(1.0),
                "bytes", new byte[] {1},
                "", 1.0,
                "trackinfo", object("lang", "en", "when", new AmfDate(0, 0), "inner", ecma("x", 1.0, "y", null)),
                "plainMap", plainMap);
        AmfEcmaArray copy = ecma();
        copy.putAll(metadata);

        AmfEcmaArray sanitized = AmfMetadata.sanitizeForPlayers(metadata);

        assertThat(sanitized).isEqualTo(ecma(
                "duration", 0.0,
                "width", 1280.0,
                "videocodecid", 7.0,
                "audiocodecid", "mp4a",
                "stereo", true,
                "encoder", "obs-output module (libobs version 30.0.0)",
                "trackinfo", object("lang", "en", "inner", ecma("x", 1.0)),
                "plainMap", object("k", 2.0)));
        assertThat(sanitized.keySet()).containsExactly(
                "duration", "width", "videocodecid", "audiocodecid", "stereo", "encoder", "trackinfo", "plainMap");
        assertThat(sanitized.get("trackinfo")).isExactlyInstanceOf(AmfObject.class);
        assertThat(((AmfObject) sanitized.get("trackinfo")).get("inner")).isExactlyInstanceOf(AmfEcmaArray.class);
        assertThat(sanitized.get("plainMap")).isExactlyInstanceOf(AmfObject.class);
        assertThat(((AmfObject) sanitized.get("plainMap")).get("k")).isInstanceOf(Double.class);
        assertThat(metadata).isEqualTo(copy).hasSize(17);    // the input is not modified
    }

    @Test
    void keepsTheCodecIdsWhenTheyAreNumbersOrStrings() {
        assertThat(AmfMetadata.sanitizeForPlayers(ecma("videocodecid", 12.0, "audiocodecid", 10.0)))
                .isEqualTo(ecma("videocodecid", 12.0, "audiocodecid", 10.0));          // HEVC (legacy 12), AAC
        assertThat(AmfMetadata.sanitizeForPlayers(ecma("videocodecid", "hvc1", "audiocodecid", "Opus")))
                .isEqualTo(ecma("videocodecid", "hvc1", "audiocodecid", "Opus"));      // enhanced RTMP FourCCs
        assertThat(AmfMetadata.sanitizeForPlayers(ecma("videocodecid", 1752589105L))) // 'hvc1' as a number
                .isEqualTo(ecma("videocodecid", 1752589105.0));
        assertThat(AmfMetadata.sanitizeForPlayers(ecma("videocodecid", null, "audiocodecid", AmfUndefined.INSTANCE)))
                .isEmpty();
    }

    @Test
    void turnsATopLevelObjectIntoAnEcmaArray() {
        AmfEcmaArray sanitized = AmfMetadata.sanitizeForPlayers(object("width", 640.0));
        assertThat(sanitized).isExactlyInstanceOf(AmfEcmaArray.class).isEqualTo(ecma("width", 640.0));
    }

    @Test
    void encodesSanitizedPublisherMetadataAsPlayersExpectIt() {
        // OBS-style metadata with a creation date (FFmpeg's player would fail on the date marker 0x0B).
        List<Object> message = readAll(Amf0Reader.of(RtmpLimits.DEFAULT), ""
                + "02 000d" + utf8("@setDataFrame")
                + "02 000a" + utf8("onMetaData")
                + "08 00000014"                                  // count 20, as OBS writes it
                + "0005" + utf8("width") + "00 4094000000000000" // 1280.0
                + "000c" + utf8("creationdate") + "0b 408f400000000000 0000" // AMF0 2.13 date: dropped
                + "000c" + utf8("videocodecid") + "00 401c000000000000"      // 7.0
                + "00 00 09");
        AmfEcmaArray sanitized = AmfMetadata.sanitizeForPlayers((AmfEcmaArray) message.get(2));
        assertThat(written("onMetaData", sanitized)).isEqualTo(compact(""
                + "02 000a" + utf8("onMetaData")                 // 2.4 string
                + "08 00000002"                                  // 2.10 ECMA array, exact count 2
                + "0005" + utf8("width") + "00 4094000000000000"
                + "000c" + utf8("videocodecid") + "00 401c000000000000"
                + "00 00 09"));
    }

    @Test
    void dropsObjectsNestedDeeperThanTheReadersCanRead() {
        AmfObject top = object();
        AmfObject innermost = top;
        for (int i = 1; i < Amf0Reader.MAX_DEPTH_CEILING + 40; i++) {
            AmfObject next = object();
            innermost.put("a", next);
            innermost = next;
        }
        Object level = AmfMetadata.sanitizeForPlayers(top);
        int depth = 0;
        while (level instanceof AmfObject o) {
            depth++;
            level = o.get("a");
        }
        assertThat(depth).isEqualTo(Amf0Reader.MAX_DEPTH_CEILING);
    }
}
