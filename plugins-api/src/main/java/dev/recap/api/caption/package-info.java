/** Captioner extension point: recaptioning images, the lever of caption curation. */
package dev.recap.api.caption;
