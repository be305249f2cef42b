package dev.millrace.streaming.rtmp.amf;

import static dev.millrace.streaming.rtmp.amf.AmfTestSupport.utf8;

/**
 * Real-world AMF message bodies, written out field by field. Section numbers are those of the Adobe AMF0 and AMF3
 * specifications.
 */
final class AmfVectors {

    private AmfVectors() {
    }

    /**
     * The connect command body an FFmpeg 7.1 publisher sends, in the order FFmpeg's gen_connect
     * (libavformat/rtmpproto.c) writes it for {@code ffmpeg ... -f flv rtmp://127.0.0.1:1935/live/stream}: "app",
     * "type" (publishers only), "flashVer" (FMLE/3.0 with the libavformat version), "tcUrl"; no "swfUrl" unless
     * asked for.
     */
    static final String FFMPEG_CONNECT = ""
            + "02 0007" + utf8("connect")          // 2.4 string: U16 length 7, "connect"
            + "00 3ff0000000000000"                // 2.2 number: 1.0, the transaction id (++nb_invokes)
            + "03"                                 // 2.5 object
            + "0003" + utf8("app")                 //   name: U16 length 3, "app"
            + "02 0004" + utf8("live")             //   2.4 string "live"
            + "0004" + utf8("type")                //   name "type"
            + "02 000a" + utf8("nonprivate")       //   string "nonprivate" (10 bytes)
            + "0008" + utf8("flashVer")            //   name "flashVer"
            + "02 0023" + utf8("FMLE/3.0 (compatible; Lavf61.7.100)") // string, 35 bytes
            + "0005" + utf8("tcUrl")               //   name "tcUrl"
            + "02 001a" + utf8("rtmp://127.0.0.1:1935/live")          // string, 26 bytes
            + "00 00 09";                          // 2.11 object end: empty name, object-end-marker

    /**
     * The connect command body FFmpeg 8.0.1 really sent. Captured with the ffmpeg program of bytedeco
     * ffmpeg-8.0.1-1.5.13 ({@code ffmpeg -f lavfi -i testsrc=size=64x64:rate=1 -t 1 -c:v libx264 -f flv
     * rtmp://127.0.0.1:33051/live/stream}) publishing to a 30-line Python listener that completed the plain RTMP
     * handshake and saved the body of the first type-20 message (139 bytes); pasted from {@code xxd}.
     */
    static final String FFMPEG_8_0_1_CAPTURED_CONNECT = ""
            + "0200 0763 6f6e 6e65 6374 003f f000 0000"
            + "0000 0003 0003 6170 7002 0004 6c69 7665"
            + "0004 7479 7065 0200 0a6e 6f6e 7072 6976"
            + "6174 6500 0866 6c61 7368 5665 7202 0023"
            + "464d 4c45 2f33 2e30 2028 636f 6d70 6174"
            + "6962 6c65 3b20 4c61 7666 3632 2e33 2e31"
            + "3030 2900 0574 6355 726c 0200 1b72 746d"
            + "703a 2f2f 3132 372e 302e 302e 313a 3333"
            + "3035 312f 6c69 7665 0000 09";

    /**
     * An OBS-style connect body: the fields of OBS's librtmp SendConnectPacket for a publisher (app, type
     * "nonprivate", flashVer "FMLE/3.0 (compatible; FMSc/1.0)", swfUrl set to the tcUrl, tcUrl), plus the enhanced
     * RTMP "fourCcList" strict array that E-RTMP publishers add (E2 "Enhancing NetConnection connect Command").
     */
    static final String OBS_CONNECT = ""
            + "02 0007" + utf8("connect")          // 2.4 string "connect"
            + "00 3ff0000000000000"                // 2.2 number 1.0
            + "03"                                 // 2.5 object
            + "0003" + utf8("app") + "02 0004" + utf8("live")
            + "0004" + utf8("type") + "02 000a" + utf8("nonprivate")
            + "0008" + utf8("flashVer")
            + "02 001f" + utf8("FMLE/3.0 (compatible; FMSc/1.0)") // 31 bytes
            + "0006" + utf8("swfUrl") + "02 001a" + utf8("rtmp://127.0.0.1:1935/live")
            + "0005" + utf8("tcUrl") + "02 001a" + utf8("rtmp://127.0.0.1:1935/live")
            + "000a" + utf8("fourCcList")          //   name, 10 bytes
            + "0a 00000003"                        //   2.12 strict array, U32 count 3
            + "02 0004" + utf8("av01")             //     string "av01"
            + "02 0004" + utf8("vp09")             //     string "vp09"
            + "02 0004" + utf8("hvc1")             //     string "hvc1"
            + "00 00 09";                          // 2.11 object end

    /**
     * An OBS-style "@setDataFrame" data message: OBS's build_flv_meta_data writes the ECMA array count as 20
     * whatever the number of properties (here 4).
     */
    static final String OBS_SET_DATA_FRAME = ""
            + "02 000d" + utf8("@setDataFrame")    // 2.4 string, 13 bytes
            + "02 000a" + utf8("onMetaData")       // 2.4 string, 10 bytes
            + "08 00000014"                        // 2.10 ECMA array, U32 count 20 (advisory, wrong)
            + "0008" + utf8("duration") + "00 0000000000000000"   // 0.0
            + "0005" + utf8("width") + "00 4094000000000000"      // 1280.0 = 1.25 * 2^10
            + "0006" + utf8("height") + "00 4086800000000000"     // 720.0 = 1.40625 * 2^9
            + "000c" + utf8("videocodecid") + "00 401c000000000000" // 7.0 (AVC) = 1.75 * 2^2
            + "00 00 09";                          // 2.11 object end

    /**
     * An AMF0 context switching to AMF3 (the AMF0 avmplus-object-marker 0x11) for one value: a dense AMF3 array of three objects
     * that exercises inline traits (sealed and dynamic members), a traits reference, string references and an object
     * reference; then AMF0 resumes with null.
     */
    static final String AVMPLUS_OBJECTS = ""
            + "11"                                 // AMF0 avmplus-object-marker: one AMF3 value follows
            + "09 07"                              // AMF3 3.11 array, U29A-value (3 << 1 | 1): 3 dense values
            + "01"                                 //   no associative members: UTF-8-empty
            // object table so far: [0] the array
            + "0a 2b"                              //   3.12 object, U29O-traits (2 sealed << 4 | dynamic 8 | 3)
            + "01"                                 //     class name "" (anonymous)
            + "07" + utf8("app")                   //     sealed name, U29S-value 3 << 1 | 1; strings [0] "app"
            + "0b" + utf8("tcUrl")                 //     sealed name, 5 << 1 | 1; strings [1] "tcUrl"
            // traits [0] = ("", dynamic, [app, tcUrl]); object table [1] = this object
            + "06 09" + utf8("live")               //     app = 3.8 string, 4 << 1 | 1; strings [2] "live"
            + "06 2b" + utf8("rtmp://localhost/live") // tcUrl = string, 21 << 1 | 1; strings [3]
            + "11" + utf8("flashVer")              //     dynamic name, 8 << 1 | 1; strings [4] "flashVer"
            + "06 1b" + utf8("LNX 9,0,124,2")      //     = string, 13 << 1 | 1; strings [5]
            + "01"                                 //     end of dynamic members: UTF-8-empty
            + "0a 01"                              //   3.12 object, U29O-traits-ref (0 << 2 | 1): traits [0]
            // object table [2] = this object
            + "06 04"                              //     app = string reference (2 << 1): "live"
            + "06 06"                              //     tcUrl = string reference (3 << 1): the tcUrl
            + "19" + utf8("capabilities")          //     dynamic name, 12 << 1 | 1; strings [6]
            + "04 81 6f"                           //     = 3.6 integer, U29 (1 << 7 | 0x6f): 239
            + "01"                                 //     end of dynamic members
            + "0a 02"                              //   3.12 object, U29O-ref (1 << 1): object table [1]
            + "05";                                // AMF0 2.7 null: back in AMF0
}
