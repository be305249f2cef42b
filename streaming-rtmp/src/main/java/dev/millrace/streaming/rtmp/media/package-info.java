/** Media packets as RTMP messages, encoded once and shared by every connection that sends them. */
package dev.millrace.streaming.rtmp.media;
