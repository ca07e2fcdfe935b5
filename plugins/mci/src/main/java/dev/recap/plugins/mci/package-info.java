/**
 * The {@code mci} image encoder plugin: MobileCLIP's MCi towers (FastViT-style hybrids) with
 * train-time multi-branch blocks and their structural reparameterization into single
 * convolutions for inference ({@link dev.recap.plugins.mci.MciEncoder#inferenceTower}).
 *
 * <p>The structure follows Apple's reference implementation ({@code mobileclip/models/mci.py},
 * {@code modules/common/mobileone.py}, {@code modules/image/replknet.py}): a MobileOne
 * convolutional stem, RepMixer blocks in stages 1-3, a reparameterizable conditional positional
 * encoding and attention blocks in stage 4, reparameterizable large-kernel downsampling between
 * stages, and the MobileOne {@code conv_exp} head followed by global average pooling.
 */
package dev.recap.plugins.mci;
