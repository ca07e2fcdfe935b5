/** The worker node and its ML runtime. */
package dev.recap.worker;
