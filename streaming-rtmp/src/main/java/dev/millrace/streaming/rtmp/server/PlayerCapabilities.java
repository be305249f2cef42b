package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.rtmp.amf.AmfObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a client declared it can decode in its {@code connect} command (enhanced RTMP v2: {@code fourCcList},
 * {@code videoFourCcInfoMap}, {@code audioFourCcInfoMap}, {@code capsEx}), and so which packets it is sent.
 *
 * <p>Nobody negotiates in practice: FFmpeg players never send {@code fourCcList} and OBS never does when publishing
 * (field guide §5). So a client that declared nothing gets what every current player decodes: legacy codecs plus the
 * enhanced RTMP v1 video codecs (HEVC, AV1, VP9), track 0 only. A client that declared a list gets exactly the
 * codecs on it; the v2-only codecs (VVC, VP8, Opus, FLAC, AC-3, E-AC-3 over enhanced audio) and extra tracks go only
 * to clients that asked for them.
 */
final class PlayerCapabilities {

    static final PlayerCapabilities LEGACY = new PlayerCapabilities(null, 0);

    /** capsEx bits (E-RTMP v2). */
    static final int CAPS_RECONNECT = 1;
    static final int CAPS_MULTITRACK = 2;
    static final int CAPS_MOD_EX = 4;
    static final int CAPS_TIMESTAMP_NANO_OFFSET = 8;

    /** FourCcInfoMap flag CanDecode. */
    private static final int CAN_DECODE = 1;
    private static final int MAX_FOURCCS = 64;

    private final Set<String> fourCcs;
    private final boolean any;
    private final int capsEx;

    private PlayerCapabilities(Set<String> fourCcs, int capsEx) {
        this.fourCcs = fourCcs;
        this.any = fourCcs != null && fourCcs.contains("*");
        this.capsEx = capsEx;
    }

    static PlayerCapabilities fromConnect(Map<String, Object> connectObject) {
        Set<String> declared = null;
        Object list = connectObject.get("fourCcList");
        if (list instanceof List) {
            declared = new HashSet<>();
            for (Object o : (List<?>) list) {
                if (o instanceof String && declared.size() < MAX_FOURCCS) {
                    declared.add((String) o);
                }
            }
        }
        for (String key : new String[] {"videoFourCcInfoMap", "audioFourCcInfoMap"}) {
            Object map = connectObject.get(key);
            if (map instanceof Map) {
                if (declared == null) {
                    declared = new HashSet<>();
                }
                for (Map.Entry<?, ?> e : ((Map<?, ?>) map).entrySet()) {
                    if (e.getKey() instanceof String && e.getValue() instanceof Number
                            && (((Number) e.getValue()).intValue() & CAN_DECODE) != 0 && declared.size() < MAX_FOURCCS) {
                        declared.add((String) e.getKey());
                    }
                }
            }
        }
        Object caps = connectObject.get("capsEx");
        int capsEx = caps instanceof Number ? ((Number) caps).intValue() : 0;
        return declared == null && capsEx == 0 ? LEGACY : new PlayerCapabilities(declared, capsEx);
    }

    /** Adds the server's own enhanced RTMP capabilities to the connect {@code _result} properties. */
    static void describeServer(AmfObject props) {
        props.put("capsEx", (double) CAPS_MULTITRACK);
        AmfObject video = new AmfObject();
        for (String f : new String[] {"avc1", "hvc1", "av01", "vp09", "vp08", "vvc1"}) {
            video.put(f, 4.0); // CanForward
        }
        AmfObject audio = new AmfObject();
        for (String f : new String[] {"mp4a", ".mp3", "Opus", "fLaC", "ac-3", "ec-3"}) {
            audio.put(f, 4.0);
        }
        props.put("videoFourCcInfoMap", video);
        props.put("audioFourCcInfoMap", audio);
    }

    /** Whether a packet goes to this client. */
    boolean accepts(MediaPacket p) {
        if (p.kind() == MediaKind.DATA) {
            return true;
        }
        if (p.trackId() != 0 && (capsEx & CAPS_MULTITRACK) == 0) {
            return false;
        }
        Codec c = p.codec();
        if (fourCcs != null) {
            if (any || c.fourCc() == 0) {
                return true; // legacy-only codecs travel without a FourCC
            }
            return fourCcs.contains(c.fourCcString());
        }
        switch (c) {
            case VVC:
            case VP8:
            case OPUS:
            case FLAC:
            case AC3:
            case EAC3:
                return false;
            default:
                return true;
        }
    }
}
