package dev.millrace.streaming.core.codec;

import static dev.millrace.streaming.core.codec.CodecTestSupport.golden;
import static dev.millrace.streaming.core.codec.CodecTestSupport.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.streaming.core.codec.CodecTestSupport.Parser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parser against damaged input: each truncation of each golden record, the same records split across buffer
 * components, and seeded random and mutated bytes. The contract under test: a result or a
 * {@link CodecConfigException}, never another exception, and the caller's buffer untouched.
 */
class CodecConfigRobustnessTest {

    /**
     * A golden record and the parser for its kind, reduced to a comparable summary. {@code validPrefixes} lists the
     * truncated lengths that are themselves complete records: a High profile avcC without its optional extension,
     * an av1C without configOBUs (4 bytes), an AudioSpecificConfig without its optional sync extension (2 bytes and
     * the partial extensions after them, which the parser must ignore). {@code prefixesKeepSummary} says whether
     * those prefixes describe the same stream.
     */
    record Case(String file, Parser<Object> parser, Set<Integer> validPrefixes, boolean prefixesKeepSummary) {
        @Override
        public String toString() {
            return file;
        }
    }

    private static final Parser<Object> AVC = b -> AvcConfig.parse(b).info();
    private static final Parser<Object> HEVC = b -> HevcConfig.parse(b).info();
    private static final Parser<Object> AV1 = b -> Av1Config.parse(b).info();
    private static final Parser<Object> VP9 = b -> Vp9Config.parse(b).info();
    private static final Parser<Object> AAC = b -> AacConfig.parse(b).info();
    private static final List<Parser<Object>> ALL_PARSERS = List.of(AVC, HEVC, AV1, VP9, AAC);

    static Stream<Case> goldens() {
        return Stream.of(
                new Case("h264-baseline-1280x720-30fps.avcC", AVC, Set.of(), false),
                new Case("h264-main-1280x720-25fps.avcC", AVC, Set.of(), false),
                // High profiles: the record without its optional 4-byte extension is complete too.
                new Case("h264-high-1920x1080-29.97fps.avcC", AVC, Set.of(46 - 4), true),
                new Case("h264-high10-640x360-24fps.avcC", AVC, Set.of(48 - 4), true),
                new Case("h264-high444-854x480-30fps.avcC", AVC, Set.of(48 - 4), true),
                new Case("h264-openh264-640x360-30fps.avcC", AVC, Set.of(), false),
                new Case("hevc-main-1280x720-30fps.hvcC", HEVC, Set.of(), false),
                new Case("hevc-main10-854x480-60fps.hvcC", HEVC, Set.of(), false),
                new Case("av1-svtav1-1280x720-30fps.av1C", AV1, Set.of(4), false),
                new Case("av1-libaom-10bit-640x360-25fps.av1C", AV1, Set.of(4), false),
                new Case("vp9-profile0-640x360-30fps.vpcC", VP9, Set.of(), false),
                new Case("vp9-profile1-444-640x360-30fps.vpcC", VP9, Set.of(), false),
                new Case("aac-lc-44100-mono.asc", AAC, Set.of(2, 3, 4), true),
                new Case("aac-lc-48000-stereo.asc", AAC, Set.of(2, 3, 4), true),
                new Case("aac-lc-48000-5.1.asc", AAC, Set.of(2, 3, 4), true));
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void rejectsEveryTruncationOfARealRecordWithCodecConfigException(Case c) throws Exception {
        byte[] record = golden(c.file());
        Object whole = parse(c.parser(), record);
        for (int length = 0; length < record.length; length++) {
            byte[] truncated = Arrays.copyOf(record, length);
            if (c.validPrefixes().contains(length)) {
                Object prefix = parse(c.parser(), truncated);
                if (c.prefixesKeepSummary()) {
                    assertThat(prefix).as("%s cut to %d bytes", c, length).isEqualTo(whole);
                }
            } else {
                assertThatThrownBy(() -> parse(c.parser(), truncated)).as("%s cut to %d bytes", c, length)
                        .isInstanceOf(CodecConfigException.class);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void parsesARecordSplitAcrossTwoComponentsAfterAConsumedByteWithoutMovingTheReaderIndex(Case c)
            throws Exception {
        byte[] record = golden(c.file());
        Object whole = parse(c.parser(), record);
        for (int split = 0; split <= record.length; split++) {
            CompositeByteBuf buf = Unpooled.compositeBuffer();
            try {
                buf.addComponent(true, Unpooled.wrappedBuffer(new byte[] {(byte) 0xEE}, Arrays.copyOf(record, split)));
                buf.addComponent(true, Unpooled.wrappedBuffer(Arrays.copyOfRange(record, split, record.length)));
                buf.skipBytes(1);
                assertThat(c.parser().parse(buf)).as("%s split at %d", c, split).isEqualTo(whole);
                assertThat(buf.readerIndex()).isEqualTo(1);
                assertThat(buf.writerIndex()).isEqualTo(record.length + 1);
            } finally {
                buf.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void survivesSeededMutationsOfARealRecord(Case c) {
        byte[] record = golden(c.file());
        Random random = new Random(0x5EED_0000L + c.file().hashCode());
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = mutate(record, random);
            assertOnlyCodecConfigException(c.parser(), mutated);
        }
    }

    @Test
    void survivesSeededRandomBytesInEveryParser() {
        Random random = new Random(0x5EED);
        for (int i = 0; i < 4000; i++) {
            byte[] bytes = new byte[random.nextInt(80)];
            random.nextBytes(bytes);
            for (Parser<Object> parser : ALL_PARSERS) {
                assertOnlyCodecConfigException(parser, bytes);
            }
            // Plausible headers, so that the random part reaches deep into each syntax.
            byte[] avcC = withPrefix(bytes, 0x01, 0x64, 0x00, 0x28, 0xFF, 0xE1, 0x00, bytes.length + 2, 0x67, 0x64);
            avcC = Arrays.copyOf(avcC, avcC.length + 1); // numOfPictureParameterSets 0
            assertOnlyCodecConfigException(AVC, avcC);
            assertOnlyCodecConfigException(AV1, withPrefix(bytes, 0x81, 0x05, 0x0C, 0x00, 0x0A, bytes.length));
            assertOnlySpsException(() -> AvcConfig.parseSps(withPrefix(bytes, 0x67)), bytes);
            assertOnlySpsException(() -> AvcConfig.parseSps(withPrefix(bytes, 0x67, 0x64, 0x00, 0x28)), bytes);
            assertOnlySpsException(() -> HevcConfig.parseSps(withPrefix(bytes, 0x42, 0x01)), bytes);
            assertOnlySpsException(() -> HevcConfig.parseSps(withPrefix(bytes, 0x42, 0x01, 0x01, 0x01, 0x60, 0, 0,
                    0, 0x90, 0, 0, 0, 0, 0, 0x5D)), bytes);
        }
    }

    @Test
    void survivesSeededMutationsOfRealParameterSets() throws Exception {
        Random random = new Random(0x5EED_5E75L);
        byte[] avcSps = parse(AvcConfig::parse, golden("h264-high-1920x1080-29.97fps.avcC")).sps().get(0);
        byte[] hevcSps = parse(HevcConfig::parse, golden("hevc-main10-854x480-60fps.hvcC")).sps().get(0);
        for (int i = 0; i < 5000; i++) {
            byte[] avc = mutate(avcSps, random);
            byte[] hevc = mutate(hevcSps, random);
            assertOnlySpsException(() -> AvcConfig.parseSps(avc), avc);
            assertOnlySpsException(() -> HevcConfig.parseSps(hevc), hevc);
        }
    }

    /** Flips bits, overwrites, drops or repeats bytes: one to four edits. */
    private static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, at);
                default -> {
                    byte[] longer = Arrays.copyOf(b, b.length + 1 + random.nextInt(4));
                    random.nextBytes(longer);
                    System.arraycopy(b, 0, longer, 0, b.length);
                    b = longer;
                }
            }
        }
        return b;
    }

    private static byte[] withPrefix(byte[] tail, int... prefix) {
        byte[] out = new byte[prefix.length + tail.length];
        for (int i = 0; i < prefix.length; i++) {
            out[i] = (byte) prefix[i];
        }
        System.arraycopy(tail, 0, out, prefix.length, tail.length);
        return out;
    }

    private static void assertOnlyCodecConfigException(Parser<Object> parser, byte[] input) {
        try {
            parse(parser, input);
        } catch (CodecConfigException expected) {
            // the one allowed failure
        } catch (RuntimeException | Error e) {
            throw new AssertionError(e + " for " + HexFormat.of().formatHex(input), e);
        }
    }

    @FunctionalInterface
    private interface SpsParse {
        Object run() throws CodecConfigException;
    }

    private static void assertOnlySpsException(SpsParse parse, byte[] input) {
        try {
            parse.run();
        } catch (CodecConfigException expected) {
            // the one allowed failure
        } catch (RuntimeException | Error e) {
            throw new AssertionError(e + " for " + HexFormat.of().formatHex(input), e);
        }
    }

    @Test
    void rejectsAnEmptyBufferInEveryParser() {
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        for (Parser<Object> parser : ALL_PARSERS) {
            assertThatThrownBy(() -> parser.parse(empty)).isInstanceOf(CodecConfigException.class);
        }
        assertThatThrownBy(() -> AvcConfig.parseSps(new byte[0])).isInstanceOf(CodecConfigException.class);
        assertThatThrownBy(() -> HevcConfig.parseSps(new byte[0])).isInstanceOf(CodecConfigException.class);
    }
}
