package dev.millrace.streaming.rtmp.server;

import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.Publication;
import dev.millrace.streaming.core.codec.AacConfig;
import dev.millrace.streaming.core.codec.AvcConfig;
import dev.millrace.streaming.core.codec.CodecConfigException;
import dev.millrace.streaming.core.codec.HevcConfig;
import dev.millrace.streaming.core.codec.VideoConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a publisher's sequence headers before they replace the stream's: a configuration that does not parse is
 * dropped with a warning and the previous one stays, so one broken header never poisons the stream (SRS once
 * aborted on such a header). Codecs without a parser here pass unchecked.
 */
final class CodecConfigs {

    private static final Logger log = LoggerFactory.getLogger(CodecConfigs.class);

    private CodecConfigs() {
    }

    /** Whether {@code p} (a SEQUENCE_HEADER) is usable; records the main track's size or format if so. */
    static boolean accept(Object connection, Publication publication, MediaPacket p) {
        try {
            switch (p.codec()) {
                case H264: {
                    VideoConfig v = AvcConfig.parse(p.content()).info();
                    if (p.trackId() == 0) {
                        publication.videoSize(v.width(), v.height());
                    }
                    return true;
                }
                case HEVC: {
                    VideoConfig v = HevcConfig.parse(p.content()).info();
                    if (p.trackId() == 0) {
                        publication.videoSize(v.width(), v.height());
                    }
                    return true;
                }
                case AAC: {
                    var a = AacConfig.parse(p.content()).info();
                    if (p.trackId() == 0) {
                        publication.audioFormat(a.sampleRate(), a.channels());
                    }
                    return true;
                }
                default:
                    return true;
            }
        } catch (CodecConfigException e) {
            log.warn("{}: rejected {} sequence header on {}: {}; keeping the previous one", connection, p.codec(),
                    publication.stream().path(), e.getMessage());
            return false;
        }
    }
}
