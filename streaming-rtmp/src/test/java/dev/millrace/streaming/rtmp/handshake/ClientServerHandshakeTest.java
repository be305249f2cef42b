package dev.millrace.streaming.rtmp.handshake;

import static dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.streaming.rtmp.handshake.HandshakeTestSupport.Recorder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** Our client against our server, bytes carried between two {@link EmbeddedChannel}s. */
class ClientServerHandshakeTest {

    /** Client's first message after the handshake: SetChunkSize(4096), as OBS sends it (RTMP 5.4.1). */
    private static final byte[] CLIENT_FIRST = hex("02 000000 000004 01 00000000 00001000");

    /** Server's first message after the handshake: Window Acknowledgement Size 2500000 (RTMP 5.4.4). */
    private static final byte[] SERVER_FIRST = hex("02 000000 000004 05 00000000 002625a0");

    /** Moves every flushed outbound buffer of {@code from} into {@code to}; returns how many moved. */
    private static int carry(EmbeddedChannel from, EmbeddedChannel to) {
        int moved = 0;
        for (ByteBuf b; (b = from.readOutbound()) != null; moved++) {
            to.writeInbound(b); // ownership passes to the receiving pipeline
        }
        return moved;
    }

    @Test
    void clientAndServerCompleteAndPassTheFirstMessagesThrough() {
        Recorder clientSide = new Recorder(CLIENT_FIRST);
        Recorder serverSide = new Recorder(SERVER_FIRST);
        EmbeddedChannel client = new EmbeddedChannel(new ClientHandshakeHandler(5_000), clientSide);
        EmbeddedChannel server = new EmbeddedChannel(new ServerHandshakeHandler(5_000), serverSide);

        int rounds = 0;
        while (carry(client, server) + carry(server, client) > 0) {
            server.flushOutbound(); // the server-side recorder wrote without flushing
            rounds++;
            assertThat(rounds).isLessThan(10);
        }

        assertThat(client.pipeline().get(ClientHandshakeHandler.class)).isNull();
        assertThat(server.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(clientSide.events()).containsExactly(new HandshakeCompleted(false));
        assertThat(serverSide.events()).containsExactly(new HandshakeCompleted(false));
        // C2 and SetChunkSize left the client in one flush; the server passed SetChunkSize on after the event.
        assertThat(serverSide.seen.get(0)).isEqualTo(new HandshakeCompleted(false));
        assertThat(serverSide.bytes()).isEqualTo(CLIENT_FIRST);
        assertThat(clientSide.bytes()).isEqualTo(SERVER_FIRST);
        assertThat(client.finish()).isFalse();
        assertThat(server.finish()).isFalse();
    }
}
