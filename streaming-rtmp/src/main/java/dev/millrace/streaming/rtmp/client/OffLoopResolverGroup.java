package dev.millrace.streaming.rtmp.client;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;

/**
 * Resolves host names with the JDK's blocking resolver on Netty's {@link GlobalEventExecutor} thread instead of the
 * connection's event loop, which must never block (DESIGN: performance principles). Lookups are serialised on that
 * one thread; connections to IP literals never get here.
 */
final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    static final OffLoopResolverGroup INSTANCE = new OffLoopResolverGroup();

    private OffLoopResolverGroup() {
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new DefaultNameResolver(GlobalEventExecutor.INSTANCE).asAddressResolver();
    }
}
