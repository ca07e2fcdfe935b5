/** Image and text encoder extension points: the two towers of a CLIP model. */
package dev.recap.api.encoder;
