package dev.pretext.runtime.training;

import dev.pretext.api.PretextTask;
import java.util.List;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A pretrained method: its graph (encoder weights included), what the task exposed, and how
 * training went.
 *
 * @param epochLosses mean loss of each epoch
 * @param stepLosses the loss of every step
 * @param seconds pretraining wall time, summed over resumed sessions
 * @param imagesPerSecond dataset images consumed per second of training
 * @param stepSeconds wall time of each step of this session (before/after-step hooks included,
 *     waiting for the input pipeline excluded)
 * @param pipelineWaitSeconds total time this session's steps waited for the prefetch thread
 */
public record TrainedMethod(
    String name,
    PretextTask task,
    SameDiff graph,
    PretextTask.TaskGraph taskGraph,
    List<String> batchStatistics,
    List<String> runningStatistics,
    List<Double> epochLosses,
    List<Double> stepLosses,
    long steps,
    double seconds,
    double imagesPerSecond,
    List<Double> stepSeconds,
    double pipelineWaitSeconds) {}
