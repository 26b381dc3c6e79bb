package dev.pretext.api;

/**
 * Creates components of one kind and one type name. Creation must be cheap and side-effect free:
 * the runtime creates every component of a suite once to validate it before any training starts,
 * so parse and check settings here and defer graph building to the component's own methods.
 *
 * @param <T> the component interface
 */
public interface ComponentFactory<T> {

  /** The unique type name users write in a suite, e.g. {@code "conv4"} or {@code "rotation"}. */
  String type();

  /** One line describing the component, shown by {@code pretext plugins}. */
  String summary();

  /**
   * Creates the component from its resolved settings.
   *
   * @throws com.typesafe.config.ConfigException for a missing, mistyped or out-of-range setting;
   *     use {@link com.typesafe.config.ConfigException.BadValue} with the value's origin so the
   *     message names the file and line
   */
  T create(ComponentContext context);

  /** A factory from a type name, a summary and a constructor function. */
  static <T> ComponentFactory<T> of(
      String type, String summary, java.util.function.Function<ComponentContext, T> constructor) {
    java.util.Objects.requireNonNull(type, "type");
    java.util.Objects.requireNonNull(summary, "summary");
    java.util.Objects.requireNonNull(constructor, "constructor");
    return new ComponentFactory<>() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public String summary() {
        return summary;
      }

      @Override
      public T create(ComponentContext context) {
        return constructor.apply(context);
      }
    };
  }
}
