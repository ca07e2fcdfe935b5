/** Writing TorchScript modules from Java, for DJL's PyTorch engine to load and run. */
package dev.recap.api.torchscript;
