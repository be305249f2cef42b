package dev.millrace.streaming.core.codec;

import dev.millrace.streaming.core.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * A VPCodecConfigurationRecord (VP Codec ISO Media File Format Binding 2.2, the {@code vpcC} box payload and the
 * body of an enhanced RTMP {@code vp09} sequence start), including the FullBox version and flags that precede it.
 *
 * <p>vpcC carries no picture size: {@link #info()} reports width and height 0, and the size is known only from
 * the first keyframe's uncompressed header (VP9 bitstream 6.2). Nor does it carry a frame rate (0).
 */
public final class Vp9Config {

    private final int profile;
    private final int level;
    private final int bitDepth;
    private final int chromaSubsampling;
    private final boolean videoFullRange;
    private final int colourPrimaries;
    private final int transferCharacteristics;
    private final int matrixCoefficients;
    private final VideoConfig info;

    private Vp9Config(int profile, int level, int bitDepth, int chromaSubsampling, boolean videoFullRange,
                      int colourPrimaries, int transferCharacteristics, int matrixCoefficients, VideoConfig info) {
        this.profile = profile;
        this.level = level;
        this.bitDepth = bitDepth;
        this.chromaSubsampling = chromaSubsampling;
        this.videoFullRange = videoFullRange;
        this.colourPrimaries = colourPrimaries;
        this.transferCharacteristics = transferCharacteristics;
        this.matrixCoefficients = matrixCoefficients;
        this.info = info;
    }

    /** VP9 profile 0 to 3. */
    public int profile() {
        return profile;
    }

    /** Level as coded (10 for 1.0 ... 62 for 6.2), 0 when unspecified. */
    public int level() {
        return level;
    }

    /** 8, 10 or 12. */
    public int bitDepth() {
        return bitDepth;
    }

    /** 0: 4:2:0 vertical, 1: 4:2:0 colocated with luma (0,0), 2: 4:2:2, 3: 4:4:4. */
    public int chromaSubsampling() {
        return chromaSubsampling;
    }

    public boolean videoFullRange() {
        return videoFullRange;
    }

    /** ISO/IEC 23091-2 code points. */
    public int colourPrimaries() {
        return colourPrimaries;
    }

    public int transferCharacteristics() {
        return transferCharacteristics;
    }

    public int matrixCoefficients() {
        return matrixCoefficients;
    }

    /** What the record says; width, height and frame rate are 0 (see the class comment). */
    public VideoConfig info() {
        return info;
    }

    /**
     * Parses a vpcC box payload.
     *
     * @param vpcC version (must be 1), flags, then the record, from the reader index to the writer index;
     *     borrowed, reader index unchanged
     * @throws CodecConfigException if the version is not 1, the record is truncated, the profile, bit depth or
     *     chroma subsampling is out of range, or codecInitializationDataSize overruns the record
     */
    public static Vp9Config parse(ByteBuf vpcC) throws CodecConfigException {
        try {
            return read(ByteBufUtil.getBytes(vpcC));
        } catch (CodecConfigException e) {
            throw new CodecConfigException("vpcC: " + e.getMessage(), e);
        }
    }

    private static Vp9Config read(byte[] bytes) throws CodecConfigException {
        BitReader r = new BitReader(bytes);
        int version = r.readBits(8);
        if (version != 1) {
            throw new CodecConfigException("version " + version + ", expected 1");
        }
        r.skipBits(24); // flags
        int profile = r.readBits(8);
        if (profile > 3) {
            throw new CodecConfigException("profile " + profile + " exceeds 3");
        }
        int level = r.readBits(8);
        int bitDepth = r.readBits(4);
        if (bitDepth != 8 && bitDepth != 10 && bitDepth != 12) {
            throw new CodecConfigException("bitDepth " + bitDepth + ", expected 8, 10 or 12");
        }
        int chromaSubsampling = r.readBits(3);
        if (chromaSubsampling > 3) {
            throw new CodecConfigException("chromaSubsampling " + chromaSubsampling + " is reserved");
        }
        boolean videoFullRange = r.readFlag();
        int colourPrimaries = r.readBits(8);
        int transferCharacteristics = r.readBits(8);
        int matrixCoefficients = r.readBits(8);
        int codecInitializationDataSize = r.readBits(16);
        // 2.2: the size must be 0 for VP8 and VP9; any bytes present are skipped, but must be there.
        r.skipBits(codecInitializationDataSize * 8L);

        int chromaFormat = chromaSubsampling <= 1 ? 1 : chromaSubsampling;
        VideoConfig info = new VideoConfig(Codec.VP9, 0, 0, profile, "Profile " + profile, level, bitDepth,
                chromaFormat, 0, codecString(profile, level, bitDepth, chromaSubsampling, colourPrimaries,
                        transferCharacteristics, matrixCoefficients, videoFullRange));
        return new Vp9Config(profile, level, bitDepth, chromaSubsampling, videoFullRange, colourPrimaries,
                transferCharacteristics, matrixCoefficients, info);
    }

    /**
     * VP Codec ISO Media File Format Binding, "Codecs Parameter String": {@code vp09.PP.LL.DD}, followed by the
     * optional {@code .CC.cp.tc.mc.FF} only when chroma is not 4:2:0, the case where the short form's default
     * (4:2:0 colocated) would misstate what a player must decode.
     */
    static String codecString(int profile, int level, int bitDepth, int chromaSubsampling, int colourPrimaries,
                              int transferCharacteristics, int matrixCoefficients, boolean videoFullRange) {
        String base = String.format("vp09.%02d.%02d.%02d", profile, level, bitDepth);
        if (chromaSubsampling <= 1) {
            return base;
        }
        return base + String.format(".%02d.%02d.%02d.%02d.%02d", chromaSubsampling, colourPrimaries,
                transferCharacteristics, matrixCoefficients, videoFullRange ? 1 : 0);
    }
}
