package dev.millrace.streaming.rtmp.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RtmpUrlTest {

    /** URL | secure | host | port | app | tcUrl, as OBS splits them (field guide §8 step 2). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rtmp://127.0.0.1/live | false | 127.0.0.1 | 1935 | live | rtmp://127.0.0.1/live",
        "rtmp://127.0.0.1/live/ | false | 127.0.0.1 | 1935 | live | rtmp://127.0.0.1/live",
        "rtmp://h:19350/live | false | h | 19350 | live | rtmp://h:19350/live",
        "RTMP://Host.Example/live | false | Host.Example | 1935 | live | RTMP://Host.Example/live",
        "rtmp://h/app/instance | false | h | 1935 | app/instance | rtmp://h/app/instance",
        "rtmp://a.rtmp.youtube.com/live2 | false | a.rtmp.youtube.com | 1935 | live2 | rtmp://a.rtmp.youtube.com/live2",
        "rtmps://b.rtmps.youtube.com:443/live2?backup=1 | true | b.rtmps.youtube.com | 443 | live2?backup=1"
                + " | rtmps://b.rtmps.youtube.com:443/live2?backup=1",
        "rtmps://rtmp-api.facebook.com/rtmp/ | true | rtmp-api.facebook.com | 443 | rtmp"
                + " | rtmps://rtmp-api.facebook.com/rtmp",
        "rtmp://[::1]:1936/live | false | ::1 | 1936 | live | rtmp://[::1]:1936/live",
        "rtmp://[::1]/live | false | ::1 | 1935 | live | rtmp://[::1]/live",
    })
    void splitsServerUrlsAsObsDoes(String url, boolean secure, String host, int port, String app, String tcUrl) {
        RtmpUrl u = RtmpUrl.parse(url);
        assertThat(u).isEqualTo(new RtmpUrl(secure, host, port, app, tcUrl));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "http://h/live", "rtmp:/h/live", "rtmp://h", "rtmp://h/", "rtmp:///live", "rtmp://h:/live",
        "rtmp://h:0/live", "rtmp://h:65536/live", "rtmp://h:12a/live", "rtmp://user:pass@h/live",
        "rtmp://[::1/live", "rtmp://[::1]x/live", "rtmp://h/li ve", "rtmp://h/live\n", "rtmp://h:999999/live",
    })
    void refusesWhatIsNotAServerUrl(String url) {
        assertThatThrownBy(() -> RtmpUrl.parse(url)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rtmp://h/live?key=secret", "rtmp://h/s3cr3t"})
    void toStringNamesOnlyWhereTheConnectionGoes(String url) {
        assertThat(RtmpUrl.parse(url).toString()).isEqualTo("rtmp://h:1935");
    }
}
