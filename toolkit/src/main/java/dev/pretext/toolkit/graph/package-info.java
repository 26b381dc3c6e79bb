/**
 * Layer helpers for graphs built with the API's {@link dev.pretext.api.graph.GraphBuilder}: {@link
 * dev.pretext.toolkit.graph.Ops}, written from ops that train in DL4J 1.0.0-M2.1 (batch norm from
 * plain ops, a safe log-softmax, masked log-sum-exp), {@link
 * dev.pretext.toolkit.graph.ConvDecoder}, a transposed-convolution decoder for dense outputs, and
 * {@link dev.pretext.toolkit.graph.MomentumNetwork}, an EMA copy of part of a graph (MoCo's key
 * encoder, BYOL's target). The op classes here register with DL4J's global op registry ({@link
 * dev.pretext.toolkit.graph.TrainableOps}), which is why the runtime shares one toolkit with every
 * plugin.
 */
package dev.pretext.toolkit.graph;
