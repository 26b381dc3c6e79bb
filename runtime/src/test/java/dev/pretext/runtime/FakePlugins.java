package dev.pretext.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.ComponentFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PluginDescriptor;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.toolkit.graph.Ops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * In-process plugins for runtime tests: a tiny encoder ({@code tiny}: one linear layer + batch
 * norm, an SPI 1.x encoder that implements only {@code build}) and a task ({@code brightness}: predict each image's mean pixel, MSE) whose
 * {@code explode-at-step} setting makes its loss NaN from that step on. Its fault-injection
 * settings: {@code fail-at-batch} throws an I/O failure from {@code prepare} (the prefetch thread,
 * where data is read and augmented), {@code print-steps} prints every step so that a test
 * watching another JVM can kill it at a chosen one, and {@code hook} calls a test's code in this
 * JVM ({@link #HOOKS}) when the method starts training.
 */
public final class FakePlugins {

  private FakePlugins() {}

  /**
   * Test code a suite's brightness method calls when its graph is built (the method is starting
   * to train, after every entry before it was recorded), by the name its {@code hook} setting gives.
   */
  public static final Map<String, Runnable> HOOKS = new ConcurrentHashMap<>();

  /** Steps of every brightness method in this JVM, counted for {@code print-steps}. */
  private static final AtomicLong STEPS = new AtomicLong();

  static final ComponentFactory<Encoder> TINY =
      ComponentFactory.of("tiny", "linear + batch norm", ctx -> new TinyEncoder(ctx.config().getInt("width")));
  static final ComponentFactory<Encoder> TINY_CONV = ComponentFactory.of("tiny-conv",
      "two 3x3 convolutions + batch norm + ReLU, the second after a 2x2 max-pool",
      ctx -> new TinyConvEncoder(ctx.config().getInt("width")));
  static final ComponentFactory<PretextTask> BRIGHTNESS =
      ComponentFactory.of("brightness", "predict the mean pixel", BrightnessTask::new);
  static final ComponentFactory<PretextTask> GRAY_BRIGHTNESS =
      ComponentFactory.of("gray-brightness", "RGB only: mean pixel from the gray image", GrayBrightnessTask::new);

  /** A registry holding the fake plugin only. */
  public static PluginRegistry registry() {
    Map<ComponentKind, Map<String, ComponentFactory<?>>> components = new EnumMap<>(ComponentKind.class);
    components.put(ComponentKind.ENCODER, new LinkedHashMap<>(Map.of("tiny", TINY, "tiny-conv", TINY_CONV)));
    components.put(ComponentKind.PRETEXT_TASK, new LinkedHashMap<>(Map.of(
        "brightness", BRIGHTNESS, "gray-brightness", GRAY_BRIGHTNESS)));
    // The defaults FakeClasspathPlugin ships as its reference.conf.
    Config reference = ConfigFactory.parseURL(FakePlugins.class.getResource("/reference.conf"));
    PretextPlugin instance = new PretextPlugin() {};
    LoadedPlugin plugin = new LoadedPlugin(new PluginDescriptor("fake", "1.0", "1.0", "test plugin"),
        LoadedPlugin.CLASSPATH, List.of(), Path.of("fake.jar"), FakePlugins.class.getClassLoader(),
        instance, components, reference);
    return new PluginRegistry(new PluginLoader.Result(List.of(plugin), List.of()));
  }

  /** A fully convolutional SPI 2.0 encoder with two stages of feature maps, for the dense protocols. */
  static final class TinyConvEncoder implements Encoder {
    private final int width;

    TinyConvEncoder(int width) {
      this.width = width;
    }

    @Override
    public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
      return Encoder.buildOnce(this, g, images, shape);
    }

    @Override
    public EncoderModule create(GraphBuilder g, ImageShape shape) {
      SDVariable k1 = g.normalVariable("conv1_w", Math.sqrt(2.0 / (9 * shape.channels())), 3, 3, shape.channels(), width);
      SDVariable k2 = g.normalVariable("conv2_w", Math.sqrt(2.0 / (9 * width)), 3, 3, width, width);
      Ops.BatchNormWeights n1 = Ops.batchNormWeights(g, "bn1", new long[] {1, width, 1, 1});
      Ops.BatchNormWeights n2 = Ops.batchNormWeights(g, "bn2", new long[] {1, width, 1, 1});
      return new EncoderModule() {
        @Override
        public EncoderOutput apply(SDVariable images, ImageShape s, String application) {
          var sd = g.sameDiff();
          var conv = org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder().kH(3).kW(3)
              .paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.SAME)
              .dataFormat("NHWC").build();
          SDVariable x = images.permute(0, 2, 3, 1);
          x = Ops.relu(sd, Ops.channelsLastBatchNorm(g, n1, sd.cnn().conv2d(x, k1, conv), application));
          SDVariable first = x.permute(0, 3, 1, 2);
          x = sd.cnn().maxPooling2d(x, org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig
              .builder().kH(2).kW(2).sH(2).sW(2).isNHWC(true).build());
          x = Ops.relu(sd, Ops.channelsLastBatchNorm(g, n2, sd.cnn().conv2d(x, k2, conv), application));
          return new EncoderOutput(x.mean(1, 2), List.of(first, x.permute(0, 3, 1, 2)));
        }

        @Override
        public long representationSize() {
          return width;
        }
      };
    }
  }

  static final class TinyEncoder implements Encoder {
    private final int width;

    TinyEncoder(int width) {
      if (width < 1) {
        throw new IllegalArgumentException("width must be positive");
      }
      this.width = width;
    }

    @Override
    public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
      SDVariable x = Ops.linear(g, "fc", images.reshape(-1, shape.size()), shape.size(), width);
      x = Ops.batchNorm(g, "bn", x, width);
      return new Representation(g.sameDiff().nn().relu(x, 0), width);
    }
  }

  static final class BrightnessTask implements PretextTask {
    private final long explodeAt;
    private final double scale;
    private final boolean missingClass;
    private final int failAtBatch;
    private final boolean printSteps;
    private final String hook;
    private final AtomicInteger prepared = new AtomicInteger();

    BrightnessTask(ComponentContext ctx) {
      this.explodeAt = ctx.config().getLong("explode-at-step");
      this.missingClass = ctx.config().getBoolean("missing-class");
      this.failAtBatch = ctx.config().getInt("fail-at-batch");
      this.printSteps = ctx.config().getBoolean("print-steps");
      this.hook = ctx.config().getString("hook");
      this.scale = ctx.config().getDouble("scale");
      if (scale <= 0) {
        throw new com.typesafe.config.ConfigException.BadValue(ctx.config().getValue("scale").origin(),
            "scale", "must be > 0, got " + scale);
      }
    }

    @Override
    public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
      if (missingClass) {
        throw new NoClassDefFoundError("org/example/Missing");
      }
      if (!hook.isEmpty()) {
        HOOKS.get(hook).run();
      }
      SDVariable images = g.placeholder("images", shape.batchShape());
      SDVariable target = g.placeholder("target", -1, 1);
      SDVariable poison = g.placeholder("poison", 1, 1);
      Encoder.Representation h = encoder.build(g.scope("encoder"), images, shape);
      SDVariable prediction = Ops.linear(g, "head", h.variable(), h.size(), 1);
      SDVariable diff = prediction.sub(target);
      // poison is 0 normally and NaN to simulate divergence.
      SDVariable loss = diff.mul(diff).mean().add(poison.sum()).rename("brightness_loss");
      return new TaskGraph(loss.name(), h.variable().name(), h.size());
    }

    @Override
    public Map<String, INDArray> prepare(INDArray images, Random random) {
      // Counted per task instance: a resumed method's new instance prepares its batches anew.
      int batch = prepared.getAndIncrement();
      if (batch == failAtBatch) {
        throw new UncheckedIOException("cannot read /data/brightness-targets.bin: Input/output error",
            new IOException("Input/output error"));
      }
      INDArray target = images.reshape(images.size(0), -1).mean(true, 1).muli(scale);
      return Map.of("images", images, "target", target.reshape(-1, 1));
    }

    @Override
    public Map<String, INDArray> beforeStep(Map<String, INDArray> prepared, dev.pretext.api.StepContext step) {
      if (printSteps) {
        System.out.println("fake-step " + STEPS.incrementAndGet());
        System.out.flush();
      }
      Map<String, INDArray> inputs = new LinkedHashMap<>(prepared);
      boolean explode = explodeAt >= 0 && step.step() >= explodeAt;
      inputs.put("poison", Nd4j.createFromArray(new float[][] {{explode ? Float.NaN : 0f}}));
      return inputs;
    }
  }

  /**
   * Like colorization: created only for RGB pretraining images, its encoder sees their gray
   * version, and its representation reads gray or RGB images (gray = mean over channels).
   */
  static final class GrayBrightnessTask implements PretextTask {

    GrayBrightnessTask(ComponentContext ctx) {
      if (ctx.imageShape().channels() != 3) {
        throw new IllegalArgumentException("gray-brightness pretrains on RGB images, got " + ctx.imageShape());
      }
    }

    @Override
    public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
      ImageShape gray = shape.withChannels(1);
      SDVariable images = g.placeholder("gray", gray.batchShape());
      SDVariable target = g.placeholder("target", -1, 1);
      Encoder.Representation h = encoder.build(g.scope("encoder"), images, gray);
      SDVariable diff = Ops.linear(g, "head", h.variable(), h.size(), 1).sub(target);
      SDVariable loss = diff.mul(diff).mean().rename("gray_loss");
      return new TaskGraph(loss.name(), h.variable().name(), h.size());
    }

    @Override
    public Map<String, INDArray> prepare(INDArray images, Random random) {
      INDArray gray = images.mean(true, 1);
      return Map.of("gray", gray, "target", gray.reshape(gray.size(0), -1).mean(true, 1).reshape(-1, 1));
    }

    @Override
    public ImageShape encoderShape(ImageShape shape) {
      return shape.withChannels(1);
    }

    @Override
    public Encoder.Representation representation(GraphBuilder g, EncoderModule encoder, SDVariable images,
        ImageShape shape) {
      // Channel by channel, as colorization's lightness formulas: the graph is built for one count.
      SDVariable gray = images;
      if (shape.channels() == 3) {
        gray = channel(images, 0).add(channel(images, 1)).add(channel(images, 2)).div(3);
      }
      SDVariable h = encoder.apply(gray, encoderShape(shape), EncoderModule.MAIN).representation();
      return new Encoder.Representation(h, encoder.representationSize());
    }

    private static SDVariable channel(SDVariable images, int c) {
      return images.get(SDIndex.all(), SDIndex.interval(c, c + 1), SDIndex.all(), SDIndex.all());
    }
  }
}
