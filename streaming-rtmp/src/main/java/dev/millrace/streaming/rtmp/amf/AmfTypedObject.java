package dev.millrace.streaming.rtmp.amf;

import java.util.Objects;

/**
 * An AMF typed object (AMF0 2.18 marker 0x10, AMF3 3.12 with a non-empty class name): the class name the sender
 * registered and the object's properties. The class name is data only: nothing is instantiated, looked up or loaded
 * from it.
 *
 * @param className the sender's class alias, exactly as sent
 * @param properties the sealed then dynamic properties in wire order
 */
public record AmfTypedObject(String className, AmfObject properties) {
    public AmfTypedObject {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(properties, "properties");
    }
}
