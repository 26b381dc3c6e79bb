/**
 * Graph-building help for plugins: a scoped, seeded {@link dev.pretext.api.graph.GraphBuilder} and
 * {@link dev.pretext.api.graph.Ops}, layer helpers written from ops that train in DL4J 1.0.0-M2.1
 * (batch norm from plain ops, a safe log-softmax, masked log-sum-exp) and {@link
 * dev.pretext.api.graph.ConvDecoder}, a transposed-convolution decoder for dense outputs, and
 * {@link dev.pretext.api.graph.MomentumNetwork}, an EMA copy of part of a graph (MoCo's key
 * encoder, BYOL's target).
 */
package dev.pretext.api.graph;
