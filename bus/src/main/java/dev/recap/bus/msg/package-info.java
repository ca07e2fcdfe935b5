/**
 * Generated Avro records of every message on the event bus (schemas in {@code src/main/avro}).
 * This file only documents the package; the classes are generated at build time.
 */
package dev.recap.bus.msg;
