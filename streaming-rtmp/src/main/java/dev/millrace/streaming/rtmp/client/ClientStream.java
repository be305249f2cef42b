package dev.millrace.streaming.rtmp.client;

import io.netty.util.concurrent.ScheduledFuture;

/**
 * What {@link ClientSession} tracks of one NetStream it opens: the name, the {@code createStream} and start
 * transactions, the message stream id the server gave, the phase and the answer deadline. {@link RtmpPublisher} and
 * {@link RtmpPlayer} add what differs. Every field is read and written on the connection's event loop only, except
 * where a subclass says otherwise.
 */
abstract class ClientStream {

    enum Phase {
        /** {@code createStream} sent, waiting for its {@code _result}. */
        CREATING,
        /** {@code publish} or {@code play} sent, waiting for the start status. */
        STARTING,
        /** Started; the future has completed. */
        ACTIVE,
        /** Ended, failed or closed. */
        CLOSED
    }

    final ClientSession session;
    /** The stream name as the caller gave it, query included. May carry a stream key: never logged. */
    final String name;

    Phase phase = Phase.CREATING;
    long createTransaction;
    long startTransaction;
    /** Message stream id from {@code createStream}'s {@code _result}; meaningful from STARTING on. */
    int streamId;
    ScheduledFuture<?> deadline;

    ClientStream(ClientSession session, String name) {
        this.session = session;
        this.name = name;
    }

    /** Whether a {@code publish} (true) or a {@code play} (false) stream; for messages. */
    abstract boolean publishing();

    /** Writes, without flushing, the command that starts the stream on {@link #streamId}. */
    abstract void writeStart();

    /** Whether {@code code} is the status that means this stream started. */
    abstract boolean isStartCode(String code);

    /** The stream started: complete the caller's future. */
    abstract void started();

    /** The stream failed before it started: fail the caller's future. */
    abstract void failed(RtmpClientException cause);

    /** Every {@code onStatus} on this stream, in every phase but CLOSED. */
    void status(String level, String code, String description) {
    }

    /** A started stream ended; {@code cause} is null when this side closed it. Called once. */
    abstract void ended(Throwable cause);

    /** Writes, without flushing, what tells the server this stream is over. */
    abstract void writeGoodbye();
}
