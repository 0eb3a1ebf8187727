"""The training loop the PyTorch yardstick scripts share: epochs over a reshuffled training set, test accuracy after each.

  import torch_epochs                     # from a script in scripts/ (its folder is on sys.path)
  torch_epochs.train(net, opt, lossf, xtr, ytr, xte, yte, epochs, batch, rng)

Each epoch draws a permutation from rng (a numpy Generator), trains in mini-batches of `batch` (the last partial
batch kept), then scores the test set in eval mode, 1000 rows at a time. Prints, per epoch: the training time
(evaluation excluded), the mean batch loss and the test accuracy; then all accuracies, the best and the final.
"""
import time

import torch


def test_accuracy(net, xte, yte):
    """The fraction of test rows whose largest output is their label (the net in eval mode meanwhile)."""
    net.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, len(xte), 1000):
            correct += int((net(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum())
    net.train()
    return correct / len(xte)


def train(net, opt, lossf, xtr, ytr, xte, yte, epochs, batch, rng):
    """Trains and prints as the module says; returns the test accuracy of each epoch."""
    accs = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(xtr)))
        loss_sum, batches = 0.0, 0
        for s in range(0, len(xtr), batch):
            i = order[s:s + batch]
            opt.zero_grad()
            loss = lossf(net(xtr[i]), ytr[i])
            loss.backward()
            opt.step()
            loss_sum += float(loss)
            batches += 1
        seconds = time.perf_counter() - start
        acc = test_accuracy(net, xte, yte)
        accs.append(acc)
        print(f"epoch {epoch:2d}: {seconds:6.2f} s, loss {loss_sum / batches:.4f}, test accuracy {acc:.4f}", flush=True)
    print("test accuracies " + " ".join(f"{a:.4f}" for a in accs))
    print(f"best {max(accs):.4f} at epoch {accs.index(max(accs)) + 1}, final {accs[-1]:.4f}")
    return accs
