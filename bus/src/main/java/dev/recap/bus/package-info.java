/** Messages, codec, addresses and cluster bootstrap shared by every Recap node. */
package dev.recap.bus;
