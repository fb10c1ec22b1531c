"""Exercise 5 - softmax cross-entropy, the loss of every classifier here."""
import numpy as np


def cross_entropy_forward(z, target):
    """L = (1/N) sum_n -log softmax(z_n)[target_n]. Return (L, cache), L a float.

    Maths: log softmax(z)_k = z_k - log sum_j exp(z_j). Subtract the row maximum first:
    softmax does not change, and exp() can no longer overflow for logits of 1000.
    Shapes: z (N, K) logits, target (N,) integer labels in [0, K).
    Hint: logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)), then pick
    logp[np.arange(N), target].
    """
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = z.shape[0]
    loss = -logp[np.arange(n), target].mean()
    return loss, (logp, target)


def cross_entropy_backward(gloss, cache):
    """dL/dz = gloss * (softmax(z) - onehot(target)) / N.

    Maths: for one sample, d(-log softmax(z)[t])/dz = softmax(z) - onehot(t); the mean over
    the batch divides by N; gloss is the upstream gradient (a scalar, 1 when L is the loss).
    Shapes: gloss a 0-d array; the result (N, K).
    """
    logp, target = cache
    n = logp.shape[0]
    gz = np.exp(logp)
    gz[np.arange(n), target] -= 1
    return gz * gloss / n
