"""The CIFAR ResNet (He et al. 2015, option-A shortcuts) in PyTorch, with tinyres's parameter
names, so the benchmark can copy a tinyres model's weights into it and time both on one
network. train_step.py checks that the two agree before timing anything."""
from torch import nn
from torch.nn import functional as TF


class Block(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride, self.pad = stride, planes - cin

    def forward(self, x):
        out = self.bn2(self.conv2(TF.relu(self.bn1(self.conv1(x)))))
        if self.stride != 1 or self.pad:      # option A: subsample, zero channels split front/back
            x = TF.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return TF.relu(out + x)


class CifarResNet(nn.Module):
    def __init__(self, depth, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        cin, stages = 16, []
        for i, planes in enumerate((16, 32, 64)):
            stages.append(nn.Sequential(*[Block(cin if j == 0 else planes, planes, 2 if (j == 0 and i > 0) else 1)
                                          for j in range(n)]))
            cin = planes
        self.layer1, self.layer2, self.layer3 = stages
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(TF.relu(self.bn1(self.conv1(x))))))
        return self.fc(TF.adaptive_avg_pool2d(x, 1).flatten(1))
