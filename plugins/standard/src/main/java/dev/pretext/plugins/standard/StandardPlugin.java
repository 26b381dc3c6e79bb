package dev.pretext.plugins.standard;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.Loss;
import dev.pretext.api.PretextPlugin;
import java.util.List;

/** Reusable components every method can name: encoders and losses. */
public final class StandardPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<Encoder>> encoders() {
    return List.of(
        ComponentFactory.of("conv4", "small CNN: 3x3 conv + batch norm + ReLU blocks, global average pooling",
            ctx -> new Conv4Encoder(Conv4Encoder.Settings.from(ctx.config()))),
        ComponentFactory.of("mlp", "multilayer perceptron on the flattened image, batch norm + ReLU",
            ctx -> new MlpEncoder(MlpEncoder.Settings.from(ctx.config()))));
  }

  @Override
  public List<ComponentFactory<Loss>> losses() {
    return List.of(ComponentFactory.of("cross-entropy",
        "softmax cross-entropy of logits against one-hot labels, optional label smoothing",
        ctx -> new CrossEntropyLoss(ctx.config().getDouble("label-smoothing"))));
  }
}
