package dev.millrace.streaming.core.fuzz;

import static dev.millrace.streaming.core.fuzz.FuzzSupport.guarded;
import static dev.millrace.streaming.core.fuzz.FuzzSupport.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.MediaKind;
import dev.millrace.streaming.core.MediaPacket;
import dev.millrace.streaming.core.PacketType;
import dev.millrace.streaming.core.flv.FlvMediaParser;
import dev.millrace.streaming.core.flv.FlvMediaParser.Detail;
import dev.millrace.streaming.core.flv.FlvMediaParser.Result;
import dev.millrace.streaming.core.flv.FlvMediaWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link FlvMediaParser#parseVideo} and {@link FlvMediaParser#parseAudio} on arbitrary tag bodies (the whole input is
 * the body), and {@link FlvMediaWriter} on what they return.
 *
 * <p>Oracle, the parser's and writer's Javadoc:
 * <ul>
 *   <li>nothing is thrown; the body's indexes and bytes do not change;</li>
 *   <li>{@code out} receives packets only with {@link Result#OK}, then at least one; each packet is of the right
 *       kind, carries the DTS given, and its payload is a slice lying within the body;</li>
 *   <li>the {@link Detail} agrees with the result and names a reason for everything but OK, at an offset inside the
 *       body;</li>
 *   <li>once the packets are released the body holds no extra reference;</li>
 *   <li>round trip: for every OK packet, {@link FlvMediaWriter#writeTagBodyHeader} writes exactly
 *       {@link FlvMediaWriter#tagBodyHeaderSize} bytes, and that header with the payload after it parses back to one
 *       packet equal to the first (codec, type, track, timestamps, keyframe and disposable flags, payload) and is
 *       rewritten to the same bytes: the writer's form is canonical. One difference is allowed: the writer fills in
 *       SoundRate/SoundSize/SoundType {@code 0x0F} for AAC and MP3 packets that carry none (codecFlags 0), so those
 *       come back with codecFlags 15.</li>
 * </ul>
 */
class FlvMediaParserFuzzTest {

    private static final long DTS_90K = 90L * 123_456;

    @FuzzTest
    void videoBodiesParseWithoutThrowingOrLeakingAndRoundTripThroughTheWriter(byte[] input) {
        check(input, MediaKind.VIDEO);
    }

    @FuzzTest
    void audioBodiesParseWithoutThrowingOrLeakingAndRoundTripThroughTheWriter(byte[] input) {
        check(input, MediaKind.AUDIO);
    }

    private static void check(byte[] input, MediaKind kind) {
        ByteBuf body = guarded(input, 0, input.length);
        List<MediaPacket> out = new ArrayList<>();
        Detail detail = new Detail();
        try {
            Result r = parse(kind, body, out, detail);
            assertThat(body.readerIndex()).isEqualTo(FuzzSupport.GUARD);
            assertThat(body.writerIndex()).isEqualTo(FuzzSupport.GUARD + input.length);
            assertThat(ByteBufUtil.getBytes(body)).as("body bytes after parsing").isEqualTo(input);
            assertThat(detail.result()).as("detail of %s", r).isEqualTo(r);
            if (r != Result.OK) {
                assertThat(out).as("packets with %s", detail).isEmpty();
                assertThat(detail.reason()).as("reason for %s", r).isNotNull();
                assertThat(detail.offset()).as("offset of %s", detail).isBetween(0, input.length);
                assertThat(body.refCnt()).as("references on the body after %s", detail).isEqualTo(1);
                return;
            }
            assertThat(detail.reason()).isNull();
            assertThat(out).as("packets with OK").isNotEmpty();
            assertThat(body.refCnt()).isEqualTo(1 + out.size());
            for (MediaPacket p : out) {
                assertThat(p.kind()).isEqualTo(kind);
                assertThat(p.codec().kind()).isEqualTo(kind);
                assertThat(p.dts90k()).isEqualTo(DTS_90K);
                assertThat(p.refCnt()).isEqualTo(1);
                assertThat(within(p.content(), body)).as("payload of %s within the body", p).isTrue();
                if (p.type() == PacketType.SEQUENCE_END) {
                    assertThat(p.size()).isZero();
                }
                checkRoundTrip(p);
            }
        } finally {
            for (MediaPacket p : out) {
                p.release();
            }
        }
        assertThat(body.refCnt()).as("references on the body once the packets are released").isEqualTo(1);
        body.release();
    }

    private static Result parse(MediaKind kind, ByteBuf body, List<MediaPacket> out, Detail detail) {
        return kind == MediaKind.VIDEO
                ? FlvMediaParser.parseVideo(body, DTS_90K, out, detail)
                : FlvMediaParser.parseAudio(body, DTS_90K, out, detail);
    }

    /** Writes {@code p} as a tag body, parses it again, and writes the result again. */
    private static void checkRoundTrip(MediaPacket p) {
        byte[] written = write(p);
        ByteBuf again = guarded(written, 0, written.length);
        List<MediaPacket> out = new ArrayList<>();
        Detail detail = new Detail();
        try {
            Result r = parse(p.kind(), again, out, detail);
            assertThat(r).as("%s written as %s parses as %s", p, ByteBufUtil.hexDump(written), detail)
                    .isEqualTo(Result.OK);
            assertThat(out).as("packets parsed from %s", ByteBufUtil.hexDump(written)).hasSize(1);
            MediaPacket q = out.get(0);
            String what = p + " written as " + ByteBufUtil.hexDump(written) + " parses as " + q;
            assertThat(q.codec()).as(what).isEqualTo(p.codec());
            assertThat(q.type()).as(what).isEqualTo(p.type());
            assertThat(q.trackId()).as(what).isEqualTo(p.trackId());
            assertThat(q.dts90k()).as(what).isEqualTo(p.dts90k());
            assertThat(q.pts90k()).as(what).isEqualTo(p.pts90k());
            assertThat(q.isKeyframe()).as(what).isEqualTo(p.isKeyframe());
            assertThat(q.isDisposable()).as(what).isEqualTo(p.isDisposable());
            assertThat(q.codecFlags()).as(what).isEqualTo(expectedCodecFlags(p));
            assertThat(ByteBufUtil.getBytes(q.content())).as(what).isEqualTo(ByteBufUtil.getBytes(p.content()));
            assertThat(write(q)).as("%s rewritten", what).isEqualTo(written);
        } finally {
            for (MediaPacket q : out) {
                q.release();
            }
            again.release();
        }
    }

    /** See the class description: AAC and MP3 in legacy form get 0x0F when they carry no flags. */
    private static int expectedCodecFlags(MediaPacket p) {
        boolean legacyAac = p.codec() == Codec.AAC && p.trackId() == 0
                && (p.type() == PacketType.FRAME || p.type() == PacketType.SEQUENCE_HEADER);
        boolean legacyMp3 = p.codec() == Codec.MP3 && p.trackId() == 0 && p.type() == PacketType.FRAME;
        return (legacyAac || legacyMp3) && p.codecFlags() == 0 ? 0x0F : p.codecFlags();
    }

    /** The tag body the writer makes of {@code p}: its header, then the payload. */
    private static byte[] write(MediaPacket p) {
        int headerSize = FlvMediaWriter.tagBodyHeaderSize(p);
        assertThat(headerSize).isBetween(0, FlvMediaWriter.MAX_TAG_BODY_HEADER_SIZE);
        ByteBuf out = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, headerSize + p.size(),
                Integer.MAX_VALUE);
        try {
            FlvMediaWriter.writeTagBodyHeader(p, out);
            assertThat(out.readableBytes()).as("header written for %s", p).isEqualTo(headerSize);
            out.writeBytes(p.content(), p.content().readerIndex(), p.size());
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
