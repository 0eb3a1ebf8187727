# The seed: the NumPy program this project starts from, copied unchanged (below this comment block) from
# ../shared/seed/seed_xor.py, outside the repository, so that every file the README names is in it.
# `python3 scripts/seed_xor.py` prints the ten lines `scripts/cltrain train` reproduces character for character.
# The NumPy program from backpropagation.md, unchanged.
import numpy as np

# Sigmoid activation function
def sigmoid(z):
    return 1 / (1 + np.exp(-z))

# Derivative of sigmoid
def sigmoid_derivative(a):
    return a * (1 - a)

# Initialize weights, biases, learning rate
np.random.seed(0)
weights = np.random.randn(2, 1)
bias = np.random.randn(1)
learning_rate = 0.1

# Training data
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])

# Training loop
for epoch in range(10000):
    # Forward propagation
    z = np.dot(X, weights) + bias
    a = sigmoid(z)
    
    # Compute the loss (MSE)
    loss = np.mean(0.5 * (a - y) ** 2)
    
    # Backward propagation
    dz = (a - y) * sigmoid_derivative(a)
    dw = np.dot(X.T, dz) / len(X)
    db = np.sum(dz) / len(X)
    
    # Update weights and biases
    weights -= learning_rate * dw
    bias -= learning_rate * db
    
    # Print loss every 1000 epochs
    if epoch % 1000 == 0:
        print(f'Epoch {epoch}, Loss: {loss:.4f}')
