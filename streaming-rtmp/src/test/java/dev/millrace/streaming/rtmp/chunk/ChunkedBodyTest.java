package dev.millrace.streaming.rtmp.chunk;

import static dev.millrace.streaming.rtmp.chunk.ChunkTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ChunkedBodyTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static String encodeHex(int csid, int chunkSize, String headerHex, String payloadHex) {
        ByteBuf header = ALLOC.buffer().writeBytes(hex(headerHex));
        ByteBuf payload = ALLOC.buffer().writeBytes(hex(payloadHex));
        ByteBuf body = ChunkedBody.encode(ALLOC, csid, chunkSize, header, payload);
        try {
            assertThat(body.isDirect()).isTrue();
            assertThat(header.readerIndex()).isZero();
            assertThat(payload.readerIndex()).isZero();
            return ByteBufUtil.hexDump(body);
        } finally {
            body.release();
            header.release();
            payload.release();
        }
    }

    @Test
    void insertsAType3BasicHeaderAfterEveryChunkOfMessageDataAcrossHeaderAndPayload() {
        assertThat(encodeHex(6, 4, "af01", "21222324252627")).isEqualTo(String.join("",
                "af01", "2122", // first chunk: 2 header bytes and 2 payload bytes
                "c6",           // RTMP 5.3.1.2.4: fmt 3, csid 6
                "23242526",     // second chunk
                "c6",
                "27"));         // last chunk, no separator after it
    }

    @Test
    void writesNoSeparatorAfterALastChunkThatIsExactlyFull() {
        assertThat(encodeHex(6, 4, "", "a0a1a2a3a4a5a6a7")).isEqualTo("a0a1a2a3" + "c6" + "a4a5a6a7");
        assertThat(encodeHex(6, 4, "a0a1a2a3", "")).isEqualTo("a0a1a2a3");
        assertThat(encodeHex(6, 4, "", "")).isEmpty();
    }

    @Test
    void writesSeparatorsInTheBasicHeaderFormTheChunkStreamIdNeeds() {
        assertThat(encodeHex(70, 2, "", "a0a1a2")).isEqualTo("a0a1" + "c006" + "a2");     // 5.3.1.1: 2-byte form
        assertThat(encodeHex(364, 2, "", "a0a1a2")).isEqualTo("a0a1" + "c12c01" + "a2"); // 3-byte form, LE
        assertThat(ChunkedBody.encodedLength(364, 2, 3)).isEqualTo(6);
    }

    @Test
    void rejectsInvalidArgumentsBeforeAllocating() {
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        assertThatThrownBy(() -> ChunkedBody.encode(ALLOC, 1, 128, empty, empty))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChunkedBody.encode(ALLOC, 65600, 128, empty, empty))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChunkedBody.encode(ALLOC, 6, 0, empty, empty))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChunkedBody.encode(ALLOC, 6, 0x100_0000, empty, empty))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuf half = Unpooled.wrappedBuffer(new byte[0x80_0000]);
        assertThatThrownBy(() -> ChunkedBody.encode(ALLOC, 6, 128, half, half)) // 0x1000000 bytes of data
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void preChunkedMessageRejectsABodyOfTheWrongLengthAndLeavesItWithTheCaller() {
        ByteBuf body = ALLOC.buffer().writeBytes(hex("a0a1a2a3a4")); // 5 bytes: no separator for 5 at size 4
        try {
            assertThatThrownBy(() -> new PreChunkedMessage(6, 9, 0, 1, 5, 4, body))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(body.refCnt()).isEqualTo(1);
            assertThatThrownBy(() -> new PreChunkedMessage(6, 256, 0, 1, 4, 5, body))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(body.refCnt()).isEqualTo(1);
        } finally {
            body.release();
        }
    }

    @Test
    void preChunkedMessageDuplicatesKeepEveryField() {
        ByteBuf body = ALLOC.buffer().writeBytes(hex("a0a1a2a3" + "c6" + "a4"));
        PreChunkedMessage m = new PreChunkedMessage(6, 9, 0x1_0000_0005L, 3, 5, 4, body);
        PreChunkedMessage d = m.retainedDuplicate();
        try {
            assertThat(d.chunkStreamId()).isEqualTo(6);
            assertThat(d.typeId()).isEqualTo(9);
            assertThat(d.timestamp()).isEqualTo(5); // u32
            assertThat(d.messageStreamId()).isEqualTo(3);
            assertThat(d.messageLength()).isEqualTo(5);
            assertThat(d.chunkSize()).isEqualTo(4);
            assertThat(ByteBufUtil.hexDump(d.content())).isEqualTo("a0a1a2a3c6a4");
            assertThat(body.refCnt()).isEqualTo(2);
        } finally {
            d.release();
            m.release();
        }
        assertThat(body.refCnt()).isZero();
    }
}
