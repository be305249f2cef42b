#!/usr/bin/env bash
# Regenerates the golden codec configuration records in this directory (see README.md).
# Needs bytedeco's FFmpeg 8.0.1 programs (FF, default: the extracted linux-x86_64-gpl directory) and python3.
set -euo pipefail
FF=${FF:-/tmp/fftest/x/org/bytedeco/ffmpeg/linux-x86_64-gpl}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ff() { LD_LIBRARY_PATH="$FF" "$FF/ffmpeg" -hide_banner -loglevel error -nostdin -y "$@"; }

# video NAME SIZE RATE BOX ENCODER-ARGS...: encodes 5 frames of testsrc2 to MP4 and keeps the BOX payload.
video() {
  local name=$1 size=$2 rate=$3 box=$4
  shift 4
  ff -f lavfi -i "testsrc2=size=$size:rate=$rate" -frames:v 5 "$@" "$work/$name.mp4"
  python3 "$here/mp4box.py" "$work/$name.mp4" "$box" > "$here/$name.$box"
}

# audio NAME RATE LAYOUT: encodes 0.2 s of a sine with FFmpeg's native AAC encoder and keeps the AudioSpecificConfig.
audio() {
  local name=$1 rate=$2 layout=$3
  ff -f lavfi -i "sine=frequency=440:sample_rate=$rate:duration=0.2" -af "aformat=channel_layouts=$layout" \
     -c:a aac -b:a 128k "$work/$name.mp4"
  python3 "$here/mp4box.py" "$work/$name.mp4" esds > "$here/$name.asc"
}

video h264-baseline-1280x720-30fps       1280x720  30         avcC -c:v libx264 -profile:v baseline -level 3.1 -pix_fmt yuv420p
video h264-main-1280x720-25fps           1280x720  25         avcC -c:v libx264 -profile:v main -level 3.1 -pix_fmt yuv420p
video h264-high-1920x1080-29.97fps       1920x1080 30000/1001 avcC -c:v libx264 -profile:v high -level 4.0 -pix_fmt yuv420p
video h264-high10-640x360-24fps          640x360   24         avcC -c:v libx264 -profile:v high10 -pix_fmt yuv420p10le
video h264-high444-854x480-30fps         854x480   30         avcC -c:v libx264 -profile:v high444 -pix_fmt yuv444p
video h264-openh264-640x360-30fps        640x360   30         avcC -c:v libopenh264 -pix_fmt yuv420p
video hevc-main-1280x720-30fps           1280x720  30         hvcC -c:v libx265 -tag:v hvc1 -pix_fmt yuv420p -x265-params log-level=error
video hevc-main10-854x480-60fps          854x480   60         hvcC -c:v libx265 -tag:v hvc1 -pix_fmt yuv420p10le -x265-params log-level=error
video av1-svtav1-1280x720-30fps          1280x720  30         av1C -c:v libsvtav1 -preset 12 -pix_fmt yuv420p
video av1-libaom-10bit-640x360-25fps     640x360   25         av1C -c:v libaom-av1 -cpu-used 8 -pix_fmt yuv420p10le
video vp9-profile0-640x360-30fps         640x360   30         vpcC -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -pix_fmt yuv420p
video vp9-profile1-444-640x360-30fps     640x360   30         vpcC -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -pix_fmt yuv444p \
      -color_primaries bt709 -color_trc bt709 -colorspace bt709

audio aac-lc-44100-mono   44100 mono
audio aac-lc-48000-stereo 48000 stereo
audio aac-lc-48000-5.1    48000 5.1
