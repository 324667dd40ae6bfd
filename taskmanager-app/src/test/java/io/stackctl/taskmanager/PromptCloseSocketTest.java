package io.stackctl.taskmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.stackctl.taskmanager.db.PromptCloseSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A TLS connection to a peer that has stopped answering (a frozen or partitioned database) closes at once over a
 * {@link PromptCloseSocket}, where over a plain socket the JDK waits for the peer's close_notify as long as the read
 * timeout: the second half of the 4 s a request took over TLS against a frozen primary.
 */
class PromptCloseSocketTest {

    private static final char[] PASSWORD = "test".toCharArray();

    private final CountDownLatch done = new CountDownLatch(1);
    private SSLContext context;
    private SSLServerSocket server;

    /** A TLS server that completes each handshake and then never sends anything, nor closes. */
    @BeforeEach
    void silentServer() throws Exception {
        var certificate = TestCertificate.selfSigned("localhost");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
                "server", certificate.keys().getPrivate(), PASSWORD, new Certificate[] {certificate.certificate()});
        var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", certificate.certificate());
        var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        server = (SSLServerSocket)
                context.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        var acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (var accepted = (SSLSocket) server.accept()) {
                    accepted.startHandshake();
                    done.await();
                } catch (Exception e) {
                    // the test is over
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        done.countDown();
        server.close();
    }

    private SSLSocket tlsOver(Socket plain, Duration readTimeout) throws Exception {
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        var tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", server.getLocalPort(), true);
        tls.startHandshake();
        // As pgjdbc's query to a database that stopped answering: a read that times out (which also takes in what
        // the server sent after the handshake).
        tls.setSoTimeout(200);
        assertThatThrownBy(() -> tls.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        tls.setSoTimeout((int) readTimeout.toMillis());
        return tls;
    }

    @Test
    void closesAtOnceThoughThePeerNeverAnswersItsCloseNotify() throws Exception {
        var tls = tlsOver(new PromptCloseSocket.Factory().createSocket(), Duration.ofMinutes(2));
        // Without the fix this close takes the full 2 minutes.
        assertTimeoutPreemptively(Duration.ofSeconds(30), tls::close);
        assertThat(tls.isClosed()).isTrue();
    }

    @Test
    void overAPlainSocketTheJdkWaitsOutTheReadTimeoutWhichIsWhyItExists() throws Exception {
        var tls = tlsOver(new Socket(), Duration.ofSeconds(2));
        long start = System.nanoTime();
        tls.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("a JDK that no longer waits here makes PromptCloseSocket unneeded")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
    }
}
