#!/usr/bin/env python3
"""The seed's NumPy program (scripts/seed_xor.py), unchanged but for a clock around its training loop:
prints the same ten lines, then the loop's wall time, excluding Python's start-up and NumPy's import."""
import time

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(a):
    return a * (1 - a)


np.random.seed(0)
weights = np.random.randn(2, 1)
bias = np.random.randn(1)
learning_rate = 0.1
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])

start = time.perf_counter()
for epoch in range(10000):
    z = np.dot(X, weights) + bias
    a = sigmoid(z)
    loss = np.mean(0.5 * (a - y) ** 2)
    dz = (a - y) * sigmoid_derivative(a)
    dw = np.dot(X.T, dz) / len(X)
    db = np.sum(dz) / len(X)
    weights -= learning_rate * dw
    bias -= learning_rate * db
    if epoch % 1000 == 0:
        print(f'Epoch {epoch}, Loss: {loss:.4f}')
seconds = time.perf_counter() - start
print(f"10000 epochs in {seconds:.3f} s ({10000 / seconds:.0f} epochs/s)")
