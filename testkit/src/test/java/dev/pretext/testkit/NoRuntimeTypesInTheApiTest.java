package dev.pretext.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kit's public API names no runtime type: what a plugin's tests see must not change when the
 * runtime's internals do. Reads every class the kit ships and every public or protected member of
 * each public class (and public nested class), generic arguments included.
 */
class NoRuntimeTypesInTheApiTest {

  private static final String RUNTIME = "dev.pretext.runtime.";

  @Test
  void noPublicOrProtectedSignatureNamesARuntimeType() throws Exception {
    List<Class<?>> classes = shippedClasses();
    assertThat(classes).contains(TestKit.class, PretextTaskConformance.class, OneStep.class, TestImages.class,
        TrainedTask.class, TestKit.Sample.class);
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : classes) {
      if (visible(type)) {
        leaks.addAll(leaksOf(type));
      }
    }
    assertThat(leaks).as("public or protected signatures naming dev.pretext.runtime types").isEmpty();
  }

  @Test
  void theCheckFindsARuntimeTypeInEachKindOfPlace() {
    // The bound of <T> counts twice: where T is declared and where a parameter takes it.
    assertThat(leaksOf(Leaky.class)).hasSize(7)
        .noneMatch(leak -> leak.contains("packagePrivate") || leak.contains("hidden"));
  }

  /** A class of the shape the check must refuse: one leak per kind of place. */
  @SuppressWarnings("unused")
  public abstract static class Leaky {
    public dev.pretext.runtime.data.ImageSet field;

    public Leaky(dev.pretext.runtime.config.Components components) {}

    public abstract dev.pretext.runtime.data.ImageSet returned();

    protected abstract void parameter(dev.pretext.runtime.training.TrainedMethod method);

    public abstract List<dev.pretext.runtime.data.ImageSet> generic();

    public abstract <T extends dev.pretext.runtime.data.ImageSet> void bound(T t);

    void packagePrivate(dev.pretext.runtime.data.ImageSet ignored) {}

    private dev.pretext.runtime.data.ImageSet hidden;
  }

  static List<String> leaksOf(Class<?> type) {
    List<String> leaks = new ArrayList<>();
    String owner = type.getName();
    check(type.getGenericSuperclass(), owner + " extends", leaks);
    for (Type i : type.getGenericInterfaces()) {
      check(i, owner + " implements", leaks);
    }
    for (Field f : type.getDeclaredFields()) {
      if (visible(f.getModifiers())) {
        check(f.getGenericType(), owner + "." + f.getName(), leaks);
      }
    }
    if (type.isRecord()) {
      for (RecordComponent c : type.getRecordComponents()) {
        check(c.getGenericType(), owner + "." + c.getName() + "()", leaks);
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic()) {
        check(m.getGenericReturnType(), owner + "." + m.getName() + "() returns", leaks);
        executable(m, owner + "." + m.getName(), leaks);
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (visible(c.getModifiers()) && !c.isSynthetic()) {
        executable(c, owner + ".<init>", leaks);
      }
    }
    return leaks;
  }

  private static void executable(Executable e, String where, List<String> leaks) {
    for (Type p : e.getGenericParameterTypes()) {
      check(p, where + " takes", leaks);
    }
    for (Type x : e.getGenericExceptionTypes()) {
      check(x, where + " throws", leaks);
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      for (Type bound : v.getBounds()) {
        check(bound, where + " <" + v.getName() + ">", leaks);
      }
    }
  }

  private static void check(Type type, String where, List<String> leaks) {
    if (type == null) {
      return;
    }
    if (type instanceof Class<?> c) {
      Class<?> element = c;
      while (element.isArray()) {
        element = element.getComponentType();
      }
      if (element.getName().startsWith(RUNTIME)) {
        leaks.add(where + " " + element.getName());
      }
    } else if (type instanceof ParameterizedType p) {
      check(p.getRawType(), where, leaks);
      check(p.getOwnerType(), where, leaks);
      for (Type a : p.getActualTypeArguments()) {
        check(a, where, leaks);
      }
    } else if (type instanceof GenericArrayType a) {
      check(a.getGenericComponentType(), where, leaks);
    } else if (type instanceof WildcardType w) {
      Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds())).forEach(b -> check(b, where, leaks));
    } else if (type instanceof TypeVariable<?> v) {
      for (Type bound : v.getBounds()) {
        check(bound, where, leaks);
      }
    }
  }

  private static boolean visible(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (!Modifier.isPublic(c.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Every class compiled from the kit's main sources (not this test's). */
  private static List<Class<?>> shippedClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(TestKit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (!name.endsWith("package-info")) {
          classes.add(Class.forName(name, false, TestKit.class.getClassLoader()));
        }
      }
    }
    return classes;
  }
}
