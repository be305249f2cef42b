package dev.millrace.streaming.core.fuzz;

import static dev.millrace.streaming.core.fuzz.FuzzSupport.guarded;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.millrace.streaming.core.Codec;
import dev.millrace.streaming.core.codec.AacConfig;
import dev.millrace.streaming.core.codec.AudioConfig;
import dev.millrace.streaming.core.codec.Av1Config;
import dev.millrace.streaming.core.codec.AvcConfig;
import dev.millrace.streaming.core.codec.CodecConfigException;
import dev.millrace.streaming.core.codec.HevcConfig;
import dev.millrace.streaming.core.codec.VideoConfig;
import dev.millrace.streaming.core.codec.Vp9Config;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * The decoder configuration parsers on arbitrary bytes (the whole input is the record or NAL unit).
 *
 * <p>Oracle, the parsers' Javadoc: the only exception is {@link CodecConfigException}; the argument's reader and
 * writer index and bytes do not change; what parses successfully is consistent: a video size that is positive when
 * the record carries one, a finite frame rate of at least 0, a bit depth of 8 to 16, a chroma format of 0 to 3 and a
 * CODECS string for the right codec; an avcC/hvcC describes its first (base-layer) SPS exactly as that SPS alone
 * does; an AudioSpecificConfig has a positive rate, and an ADTS header for it, when it has one, is 7 bytes with the
 * syncword and the frame length [ISO/IEC 14496-3 1.A.2.2.1].
 */
class CodecConfigFuzzTest {

    /** Parses {@code input} as the parser under test does, and checks what it returns. */
    @FunctionalInterface
    private interface Parse {
        void apply(ByteBuf record) throws CodecConfigException;
    }

    @FuzzTest
    void avcDecoderConfigurationRecordsParseOrThrowCodecConfigException(byte[] input) {
        parse(input, record -> {
            AvcConfig c = AvcConfig.parse(record);
            assertThat(c.nalLengthSize()).isIn(1, 2, 4);
            assertThat(c.sps()).isNotEmpty().hasSizeLessThanOrEqualTo(AvcConfig.MAX_SPS);
            assertThat(c.pps()).hasSizeLessThanOrEqualTo(AvcConfig.MAX_PPS);
            checkVideo(c.info(), Codec.H264, "avc1.", true);
            assertThat(c.info()).isEqualTo(AvcConfig.parseSps(c.sps().get(0)));
        });
    }

    @FuzzTest
    void avcSequenceParameterSetsParseOrThrowCodecConfigException(byte[] input) {
        byte[] nal = input.clone();
        try {
            checkVideo(AvcConfig.parseSps(nal), Codec.H264, "avc1.", true);
        } catch (CodecConfigException expected) {
            // the only refusal allowed
        }
        assertThat(nal).as("the NAL unit after parsing").isEqualTo(input);
    }

    @FuzzTest
    void hevcDecoderConfigurationRecordsParseOrThrowCodecConfigException(byte[] input) {
        parse(input, record -> {
            HevcConfig c = HevcConfig.parse(record);
            assertThat(c.nalLengthSize()).isIn(1, 2, 4);
            int total = 0;
            byte[] firstBaseSps = null;
            for (HevcConfig.NalArray array : c.arrays()) {
                total += array.nalUnits().size();
                for (byte[] nal : array.nalUnits()) {
                    assertThat(nal.length).isGreaterThanOrEqualTo(2);
                    // H.265 7.3.1.2: nuh_layer_id, 6 bits across the two header bytes
                    int layer = (nal[0] & 1) << 5 | (nal[1] & 0xFF) >>> 3;
                    if (firstBaseSps == null && array.nalUnitType() == HevcConfig.NAL_SPS && layer == 0) {
                        firstBaseSps = nal;
                    }
                }
            }
            assertThat(total).isLessThanOrEqualTo(HevcConfig.MAX_NAL_UNITS);
            assertThat(firstBaseSps).as("base-layer SPS").isNotNull();
            checkVideo(c.info(), Codec.HEVC, "hvc1.", true);
            assertThat(c.info()).isEqualTo(HevcConfig.parseSps(firstBaseSps));
        });
    }

    @FuzzTest
    void hevcSequenceParameterSetsParseOrThrowCodecConfigException(byte[] input) {
        byte[] nal = input.clone();
        try {
            checkVideo(HevcConfig.parseSps(nal), Codec.HEVC, "hvc1.", true);
        } catch (CodecConfigException expected) {
            // the only refusal allowed
        }
        assertThat(nal).as("the NAL unit after parsing").isEqualTo(input);
    }

    @FuzzTest
    void audioSpecificConfigsParseOrThrowCodecConfigException(byte[] input) {
        parse(input, record -> {
            AacConfig c = AacConfig.parse(record);
            AudioConfig info = c.info();
            assertThat(info.codec()).isEqualTo(Codec.AAC);
            assertThat(info.sampleRate()).isPositive();
            assertThat(c.samplingFrequency()).isPositive();
            assertThat(info.channels()).isNotNegative();
            assertThat(info.objectType()).isPositive();
            assertThat(info.rfc6381()).isEqualTo("mp4a.40." + info.objectType());
            ByteBuf adts = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 16, 16);
            try {
                if (!c.canWriteAdts()) {
                    try {
                        c.writeAdtsHeader(adts, 0);
                        throw new AssertionError("ADTS header written although canWriteAdts() is false");
                    } catch (IllegalStateException expected) {
                        assertThat(adts.readableBytes()).isZero();
                    }
                    return;
                }
                int rawLength = AacConfig.MAX_ADTS_RAW_FRAME_BYTES;
                c.writeAdtsHeader(adts, rawLength);
                assertThat(adts.readableBytes()).isEqualTo(AacConfig.ADTS_HEADER_BYTES);
                // 1.A.2.2.1: syncword 0xFFF, ID 0 (MPEG-4), layer 00, protection_absent 1
                assertThat(adts.getUnsignedShort(0)).isEqualTo(0xFFF1);
                // aac_frame_length: the 13 bits after the first 30 of the 56-bit header; it counts the header
                long bits = (long) adts.getInt(0) << 24 | adts.getUnsignedMedium(4);
                assertThat((int) (bits >>> 13) & 0x1FFF).isEqualTo(rawLength + AacConfig.ADTS_HEADER_BYTES);
            } finally {
                adts.release();
            }
        });
    }

    @FuzzTest
    void av1CodecConfigurationRecordsParseOrThrowCodecConfigException(byte[] input) {
        parse(input, record -> {
            Av1Config c = Av1Config.parse(record);
            checkVideo(c.info(), Codec.AV1, "av01.", c.sequenceHeaderPresent());
            assertThat(c.configObus()).isNotNull();
        });
    }

    @FuzzTest
    void vp9CodecConfigurationRecordsParseOrThrowCodecConfigException(byte[] input) {
        parse(input, record -> {
            Vp9Config c = Vp9Config.parse(record);
            checkVideo(c.info(), Codec.VP9, "vp09.", false);
            assertThat(c.info().bitDepth()).isEqualTo(c.bitDepth());
        });
    }

    /**
     * Runs {@code parse} on {@code input} between guard bytes; a {@link CodecConfigException} is the one refusal
     * allowed, and either way the record's indexes, bytes and reference count stay as they were.
     */
    private static void parse(byte[] input, Parse parse) {
        ByteBuf record = guarded(input, 0, input.length);
        try {
            try {
                parse.apply(record);
            } catch (CodecConfigException expected) {
                assertThat(expected.getMessage()).isNotEmpty();
            }
            assertThat(record.readerIndex()).isEqualTo(FuzzSupport.GUARD);
            assertThat(record.writerIndex()).isEqualTo(FuzzSupport.GUARD + input.length);
            assertThat(ByteBufUtil.getBytes(record)).isEqualTo(input);
            assertThat(record.refCnt()).isEqualTo(1);
        } finally {
            record.release();
        }
    }

    /** The {@link VideoConfig} contract; {@code sized}: the configuration carries the picture size. */
    private static void checkVideo(VideoConfig v, Codec codec, String codecsPrefix, boolean sized) {
        assertThat(v.codec()).isEqualTo(codec);
        if (sized) {
            assertThat(v.width()).as("width of %s", v).isPositive();
            assertThat(v.height()).as("height of %s", v).isPositive();
        } else {
            assertThat(v.width()).as("width of %s", v).isZero();
            assertThat(v.height()).as("height of %s", v).isZero();
        }
        assertThat(v.frameRate()).as("frame rate of %s", v).isNotNegative().isFinite();
        assertThat(v.bitDepth()).as("bit depth of %s", v).isBetween(8, 16);
        assertThat(v.chromaFormat()).as("chroma format of %s", v).isBetween(0, 3);
        assertThat(v.rfc6381()).startsWith(codecsPrefix);
        assertThat(v.profileName()).isNotNull();
    }
}
