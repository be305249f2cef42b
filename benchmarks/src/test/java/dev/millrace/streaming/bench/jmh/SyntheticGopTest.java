package dev.millrace.streaming.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.RtmpLimits;
import dev.millrace.streaming.rtmp.chunk.ChunkDecoder;
import dev.millrace.streaming.rtmp.message.MessageType;
import dev.millrace.streaming.rtmp.message.RtmpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticGopTest {

    @Test
    void gopHoldsSixtyVideoFramesAndNinetyFourAudioFramesAtSixHundredKbps() {
        List<SyntheticGop.Message> messages = SyntheticGop.messages();
        assertThat(messages).hasSize(154);
        assertThat(messages.stream().filter(m -> m.typeId() == MessageType.VIDEO).count()).isEqualTo(60);
        assertThat(messages.stream().filter(m -> m.typeId() == MessageType.AUDIO).count()).isEqualTo(94);
        assertThat(messages.stream().filter(SyntheticGop.Message::keyframe).count()).isEqualTo(1);
        // 2 s of media: 600 kbps is 150,000 bytes; the random sizes land within 2 % of it.
        assertThat(SyntheticGop.messageBytes()).isBetween(147_000, 153_000);
    }

    @Test
    void gopStartsWithTheKeyframeAndInterleavesByTimestamp() {
        List<SyntheticGop.Message> m = SyntheticGop.messages();
        // video round(i * 1000 / 30): 0, 33, 67; audio round(j * 1024 * 1000 / 48000): 0, 21, 43, 64
        assertThat(m.get(0).typeId()).isEqualTo(MessageType.VIDEO);
        assertThat(m.get(0).keyframe()).isTrue();
        assertThat(m.get(0).body().length).isEqualTo(50_000);
        assertThat(m.get(0).body()[0]).isEqualTo((byte) 0x17); // FLV E.4.3.1: key frame, AVC
        long[] timestamps = m.subList(0, 7).stream().mapToLong(SyntheticGop.Message::timestampMillis).toArray();
        assertThat(timestamps).containsExactly(0, 0, 21, 33, 43, 64, 67);
        int[] types = m.subList(0, 7).stream().mapToInt(SyntheticGop.Message::typeId).toArray();
        assertThat(types).containsExactly(9, 8, 8, 9, 8, 8, 9);
        // the last message: audio frame 93 at 93 * 1024 / 48 = 1984 ms
        assertThat(m.get(153).typeId()).isEqualTo(MessageType.AUDIO);
        assertThat(m.get(153).timestampMillis()).isEqualTo(1984);
        assertThat(m.get(153).body()[0]).isEqualTo((byte) 0xAF); // FLV E.4.2.1: AAC, 44 kHz, 16 bit, stereo
        assertThat(m.get(153).body()[1]).isEqualTo((byte) 0x01); // E.4.2.2: AACPacketType raw
    }

    @Test
    void preambleIsSetChunkSizeThenSetDataFrameOnChunkStreamFour() {
        byte[] preamble = SyntheticGop.preamble();
        int metadataLength = CommandVectors.obsSetDataFrame().length;
        String expected = ""
                + "02"          // RTMP 5.3.1.1: fmt 0, chunk stream 2
                + "000000"      // 5.3.1.2.1: timestamp 0
                + "000004"      //   message length 4
                + "01"          //   type 1, Set Chunk Size
                + "00000000"    //   message stream 0 (little-endian)
                + "00001000"    // 5.4.1: chunk size 4096
                + "04"          // fmt 0, chunk stream 4
                + "000000"      //   timestamp 0
                + String.format("%06x", metadataLength) // message length
                + "12"          //   type 18, data AMF0
                + "01000000";   //   message stream 1, little-endian (5.3.1.2.5)
        assertThat(ByteBufUtil.hexDump(Arrays.copyOf(preamble, 28))).isEqualTo(expected);
        assertThat(preamble.length).isEqualTo(28 + metadataLength);
    }

    @Test
    void chunkStreamStartsWithATypeOneHeaderAndContinuesEvery4096Bytes() {
        byte[] stream = SyntheticGop.chunkStream();
        String expected = ""
                + "44"          // RTMP 5.3.1.1: fmt 1, chunk stream 4
                + "000010"      // 5.3.1.2.2: timestamp delta 16 (from the last audio frame, 1984 ms, to 2000)
                + "00c350"      //   message length 50000
                + "09";         //   type 9, video
        assertThat(ByteBufUtil.hexDump(Arrays.copyOf(stream, 8))).isEqualTo(expected);
        assertThat(stream[8]).isEqualTo((byte) 0x17);
        // 5.3.1.2.4: after 4096 data bytes a type 3 basic header for chunk stream 4
        assertThat(stream[8 + 4096]).isEqualTo((byte) 0xC4);
        assertThat(stream[8 + 2 * 4096 + 1]).isEqualTo((byte) 0xC4);
        // 50000 bytes in 13 chunks: 12 continuation headers
        int firstMessageEnd = 8 + 50_000 + 12;
        assertThat(stream[firstMessageEnd] & 0xFF).isEqualTo(0x44); // the AAC frame: type changes, so type 1
        // 154 headers of 8 (type 1) or 4 (type 2) bytes plus the continuation headers of the keyframe
        assertThat(stream.length).isBetween(SyntheticGop.messageBytes() + 12 + 154 * 4,
                SyntheticGop.messageBytes() + 12 + 154 * 8);
    }

    @Test
    void chunkStreamLoopsIntoTheSameMessagesWithTimestampsTwoSecondsLater() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(RtmpLimits.DEFAULT));
        byte[] gop = SyntheticGop.chunkStream();
        ch.writeInbound(Unpooled.wrappedBuffer(SyntheticGop.preamble()));
        ch.writeInbound(Unpooled.wrappedBuffer(gop));
        ch.writeInbound(Unpooled.wrappedBuffer(gop));
        RtmpMessage setChunkSize = ch.readInbound();
        RtmpMessage metadata = ch.readInbound();
        try {
            assertThat(setChunkSize.typeId()).isEqualTo(MessageType.SET_CHUNK_SIZE);
            assertThat(metadata.typeId()).isEqualTo(MessageType.DATA_AMF0);
            assertThat(metadata.timestamp()).isZero();
        } finally {
            setChunkSize.release();
            metadata.release();
        }
        List<SyntheticGop.Message> expected = SyntheticGop.messages();
        for (int loop = 0; loop < 2; loop++) {
            for (SyntheticGop.Message e : expected) {
                RtmpMessage m = ch.readInbound();
                try {
                    assertThat(m.chunkStreamId()).isEqualTo(4);
                    assertThat(m.messageStreamId()).isEqualTo(1);
                    assertThat(m.typeId()).isEqualTo(e.typeId());
                    // The first delta (16 ms) follows the metadata at 0: every timestamp is 16 ms on.
                    assertThat(m.timestamp()).isEqualTo(e.timestampMillis() + 16 + 2000L * loop);
                    ByteBuf content = m.content();
                    assertThat(ByteBufUtil.getBytes(content)).isEqualTo(e.body());
                } finally {
                    m.release();
                }
            }
        }
        Object rest = ch.readInbound();
        assertThat(rest).isNull();
        assertThat(ch.finish()).isFalse();
    }
}
