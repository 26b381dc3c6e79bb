package dev.pretext.plugins.standard;

import dev.pretext.api.Augmentation;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.PretextPlugin;
import dev.pretext.toolkit.Settings;
import java.util.List;

/** Reusable components every method can name: encoders, augmentations, samplers and losses. */
public final class StandardPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<Encoder>> encoders() {
    return List.of(
        ComponentFactory.of("conv4", "small CNN: 3x3 conv + batch norm + ReLU blocks, global average pooling",
            ctx -> new Conv4Encoder(Conv4Encoder.Settings.from(Settings.of(ctx)))),
        ComponentFactory.of("resnet", "ResNet of basic blocks: stages of widths and blocks, cifar or imagenet stem",
            ctx -> new ResNetEncoder(ResNetEncoder.Settings.from(Settings.of(ctx)))),
        ComponentFactory.of("resnet20", "ResNet-20 (CIFAR): cifar stem, widths 16-32-64, 3 blocks per stage",
            ctx -> new ResNetEncoder(ResNetEncoder.Settings.from(Settings.of(ctx)))),
        ComponentFactory.of("resnet18", "ResNet-18: imagenet stem, widths 64-128-256-512, 2 blocks per stage",
            ctx -> new ResNetEncoder(ResNetEncoder.Settings.from(Settings.of(ctx)))),
        ComponentFactory.of("mlp", "multilayer perceptron on the flattened image, batch norm + ReLU",
            ctx -> new MlpEncoder(MlpEncoder.Settings.from(Settings.of(ctx)))));
  }

  @Override
  public List<ComponentFactory<Augmentation>> augmentations() {
    return List.of(
        ComponentFactory.of("random-resized-crop",
            "crop a random box (area fraction, aspect ratio) and resize it back bilinearly",
            ctx -> new RandomResizedCrop(RandomResizedCrop.Settings.from(ctx.config(), ctx.configPath()))),
        ComponentFactory.of("horizontal-flip", "mirror images left-right with a probability",
            ctx -> HorizontalFlip.from(ctx.config(), ctx.configPath())),
        ComponentFactory.of("color-jitter",
            "random brightness, contrast, saturation and hue in random order, with a probability",
            ctx -> new ColorJitter(ColorJitter.Settings.from(ctx.config(), ctx.configPath()))),
        ComponentFactory.of("random-grayscale", "turn RGB images to gray with a probability",
            ctx -> RandomGrayscale.from(ctx.config(), ctx.configPath())),
        ComponentFactory.of("gaussian-blur",
            "Gaussian blur with a random sigma and a kernel relative to the image size",
            ctx -> new GaussianBlur(GaussianBlur.Settings.from(ctx.config(), ctx.configPath()))),
        ComponentFactory.of("gaussian-noise", "add Gaussian pixel noise, clamped to [0, 1]",
            ctx -> GaussianNoise.from(ctx.config(), ctx.configPath())));
  }

  @Override
  public List<ComponentFactory<NegativeSampler>> negativeSamplers() {
    return List.of(ComponentFactory.of("in-batch",
        "SimCLR: the other 2N - 2 views of the batch are the negatives",
        ctx -> new InBatchNegativeSampler()),
        ComponentFactory.of("queue",
            "MoCo: the last K keys of earlier steps, kept in a first-in-first-out queue, are the negatives",
            ctx -> QueueNegativeSampler.from(ctx.config(), ctx.configPath())),
        ComponentFactory.of("patch-grid",
            "CPC: other positions and other images of a patch grid are the negatives of a predicted patch",
            ctx -> PatchGridNegativeSampler.from(ctx.config())));
  }

  @Override
  public List<ComponentFactory<Loss>> losses() {
    return List.of(
        ComponentFactory.of("cross-entropy",
            "softmax cross-entropy of logits against one-hot labels, optional label smoothing",
            ctx -> new CrossEntropyLoss(labelSmoothing(Settings.of(ctx)))),
        ComponentFactory.of("nt-xent",
            "SimCLR's normalized-temperature cross-entropy over a sampler's masked similarities",
            ctx -> ContrastiveLoss.from(ctx.config(), ctx.configPath())),
        ComponentFactory.of("info-nce",
            "InfoNCE: a query against its positive key and a sampler's negatives (queue, grid)",
            ctx -> ContrastiveLoss.from(ctx.config(), ctx.configPath())),
        ComponentFactory.of("negative-cosine",
            "BYOL: 2 - 2 cos(prediction, target), averaged over rows",
            ctx -> new NegativeCosineLoss()),
        ComponentFactory.of("mse",
            "mean squared error of a reconstruction against its target, optionally weighted per element",
            ctx -> new ReconstructionLoss(ReconstructionLoss.Kind.MSE)),
        ComponentFactory.of("binary-cross-entropy",
            "binary cross-entropy of logits against targets in [0, 1], optionally weighted per element",
            ctx -> new ReconstructionLoss(ReconstructionLoss.Kind.BINARY_CROSS_ENTROPY)));
  }

  /** Cross-entropy's label smoothing ε, in [0, 1): the target keeps 1 − ε of its mass. */
  private static double labelSmoothing(Settings settings) {
    double e = settings.config().getDouble("label-smoothing");
    if (!(e >= 0 && e < 1)) {
      throw settings.bad("label-smoothing", "must be in [0, 1), got " + e);
    }
    return e;
  }
}
