/**
 * The device a worker computes on: choosing the libtorch that can serve it before DJL loads one
 * for the JVM, checking the device at start, and the default devices of in-JVM workers.
 */
package dev.recap.worker.device;
