"""Reference networks written in PyTorch with torchvision's structure and names (for parity tests)."""
from torch import nn
from torch.nn import functional as TF


class TorchBasic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride, option):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.option, self.stride, self.pad = option, stride, planes - cin
        self.downsample = None
        if option == "B" and (stride != 1 or cin != planes):
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def shortcut(self, x):
        if self.downsample is not None:
            return self.downsample(x)
        if self.option == "A" and self.pad or self.stride != 1:
            x = x[:, :, ::self.stride, ::self.stride]
            return TF.pad(x, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return x

    def forward(self, x):
        out = TF.relu(self.bn1(self.conv1(x)))
        return TF.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class TorchBottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride, option="B", groups=1, base_width=64):
        super().__init__()
        width = int(planes * base_width / 64) * groups      # torchvision's inner width (ResNeXt, WRN-50-2)
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride != 1 or cin != planes * 4:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        out = TF.relu(self.bn1(self.conv1(x)))
        out = TF.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return TF.relu(out + (x if self.downsample is None else self.downsample(x)))


class TorchImageNetResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, **block_kw):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin, stages = 64, []
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for j in range(n):
                blocks.append(block(cin, planes, 2 if (j == 0 and i > 0) else 1, "B", **block_kw))
                cin = planes * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.maxpool(TF.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(TF.adaptive_avg_pool2d(x, 1).flatten(1))


class TorchCifarResNet(nn.Module):
    def __init__(self, depth, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        cin, stages = 16, []
        for i, planes in enumerate((16, 32, 64)):
            blocks = []
            for j in range(n):
                blocks.append(TorchBasic(cin, planes, 2 if (j == 0 and i > 0) else 1, "A"))
                cin = planes
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = TF.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(TF.adaptive_avg_pool2d(x, 1).flatten(1))


def build(name):
    return {"resnet18": lambda: TorchImageNetResNet(TorchBasic, [2, 2, 2, 2]),
            "resnet50": lambda: TorchImageNetResNet(TorchBottleneck, [3, 4, 6, 3]),
            "resnet20": lambda: TorchCifarResNet(20),
            "resnext50_32x4d": lambda: TorchImageNetResNet(TorchBottleneck, [3, 4, 6, 3], groups=32, base_width=4),
            "resnext101_32x8d": lambda: TorchImageNetResNet(TorchBottleneck, [3, 4, 23, 3], groups=32, base_width=8),
            "wide_resnet50_2": lambda: TorchImageNetResNet(TorchBottleneck, [3, 4, 6, 3], base_width=128),
            }[name]().double()
