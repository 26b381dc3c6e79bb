package dev.pretext.runtime.training;

/** The loss became NaN or infinite: this method stops, the rest of the suite goes on. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String method, long step, double loss) {
    super("loss of '" + method + "' became " + loss + " at step " + step
        + "; try a lower learning-rate (suite.training.learning-rate or the method's training.learning-rate)");
  }
}
