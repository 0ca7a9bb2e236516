"""The cheat-sheet's model-building, training-loop and checkpoint snippets, run unchanged on both
libraries: same printed text, same values, and checkpoints that cross between them."""
import contextlib
import io
from collections import OrderedDict

import numpy as np
import torch as real

import oxytorch as ot


def build(torch):
    nn = torch.nn
    F = torch.nn.functional

    class MyNet(nn.Module):
        def __init__(self):
            super(MyNet, self).__init__()
            self.fc1 = nn.Linear(10, 10)
            self.add_module("fc2", nn.Linear(10, 10))
            self.block3 = nn.Sequential(OrderedDict([
                ("conv1", torch.nn.Conv2d(in_channels=1, out_channels=16, kernel_size=(5, 5))),
                ("relu1", nn.ReLU())
            ]))
            self.add_module("block4", nn.Sequential(OrderedDict([
                ("conv1", torch.nn.Conv2d(in_channels=1, out_channels=16, kernel_size=(5, 5))),
                ("relu1", nn.ReLU())
            ])))

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return x

    return MyNet


def snippet(torch, tmp):
    """The seed's sections 'build a model', 'use it', 'save and load', 'checkpoint' and a training loop."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        nn = torch.nn
        MyNet = build(torch)
        torch.manual_seed(0)
        my_net = MyNet()
        print(my_net)
        x = torch.randn(8, 10)
        y = my_net(x)
        print(y.shape)
        device = torch.device("cpu")
        torch.save(my_net.state_dict(), f"{tmp}/model.pkh")
        my_net1 = MyNet().to(device)
        print(my_net1.load_state_dict(torch.load(f"{tmp}/model.pkh", weights_only=True)))
        model = MyNet().to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.MSELoss()
        for epoch in range(3):
            optimizer.zero_grad()
            loss = loss_fn(model(x), torch.zeros(8, 10))
            loss.backward()
            optimizer.step()
        ckpt = {"epoch": epoch, "model_state": model.state_dict(), "optim_state": optimizer.state_dict()}
        torch.save(ckpt, f"{tmp}/ckpt.pth")
        model = MyNet().to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        ckpt = torch.load(f"{tmp}/ckpt.pth", map_location=device)
        model.load_state_dict(ckpt["model_state"])
        optimizer.load_state_dict(ckpt["optim_state"])
        start_epoch = ckpt["epoch"] + 1
        model.train()
        print(start_epoch)
        for epoch in range(start_epoch, 5):
            optimizer.zero_grad()
            loss = loss_fn(model(x), torch.zeros(8, 10))
            loss.backward()
            optimizer.step()
        print(f"{loss.item():.6f}")
    return out.getvalue(), y.detach().numpy(), model.fc1.weight.detach().numpy()


def test_seed_snippets_match_torch(tmp_path):
    (tmp_path / "o").mkdir()
    (tmp_path / "t").mkdir()
    o_text, o_y, o_w = snippet(ot, tmp_path / "o")
    t_text, t_y, t_w = snippet(real, tmp_path / "t")
    assert o_text == t_text
    # the same seed gives the same initial weights, so the same outputs
    np.testing.assert_allclose(o_y, t_y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(o_w, t_w, rtol=1e-5, atol=1e-6)


def test_seed_checkpoint_crosses_libraries(tmp_path):
    MyNetT, MyNetO = build(real), build(ot)
    real.manual_seed(1)
    t = MyNetT()
    real.save(t.state_dict(), tmp_path / "t.pkh")
    o = MyNetO()
    o.load_state_dict(ot.load(tmp_path / "t.pkh", weights_only=True))
    ot.save(o.state_dict(), tmp_path / "o.pkh")
    t2 = MyNetT()
    t2.load_state_dict(real.load(tmp_path / "o.pkh", weights_only=True))
    for (k, a), (_, b) in zip(t.state_dict().items(), t2.state_dict().items()):
        assert real.equal(a, b), k
