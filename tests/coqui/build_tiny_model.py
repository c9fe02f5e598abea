"""Build a tiny, untrained Coqui VITS voice (checkpoint + config.json) for engine tests."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

SAMPLE_RATE = 16000
"""Sample rate of the tiny model's output."""
HOP_LENGTH = 64
"""Output samples per decoder frame (the product of the decoder's upsample rates)."""
FRAMES_PER_CHARACTER = 12.0
"""Typical frames per input token (the duration predictor's output bias; the random
weights spread durations around it, so rounding up to whole frames evens out)."""
CHARACTERS = "abcdefghijklmnopqrstuvwxyz"
PUNCTUATIONS = " !',.?"


def tiny_config() -> Any:
    """A character-based VitsConfig with very small layers (builds and runs in seconds)."""
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import VitsArgs

    audio = BaseAudioConfig(sample_rate=SAMPLE_RATE, fft_size=256, win_length=256,
                            hop_length=HOP_LENGTH, num_mels=20, do_trim_silence=False)
    characters = CharactersConfig(characters_class="TTS.tts.utils.text.characters.Graphemes",
                                  pad="_", eos="*", bos="^", blank="#",
                                  characters=CHARACTERS, punctuations=PUNCTUATIONS)
    args = VitsArgs(
        out_channels=256 // 2 + 1, hidden_channels=16, hidden_channels_ffn_text_encoder=32,
        num_heads_text_encoder=2, num_layers_text_encoder=1, num_layers_posterior_encoder=1,
        num_layers_flow=1, use_sdp=False, resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3, 5]], upsample_rates_decoder=[8, 8],
        upsample_initial_channel_decoder=16, upsample_kernel_sizes_decoder=[16, 16],
        init_discriminator=False,
    )
    return VitsConfig(audio=audio, model_args=args, characters=characters, use_phonemes=False,
                      text_cleaner="basic_cleaners", add_blank=False, test_sentences=[],
                      languages=["en"])


def build(folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """Write `model.pth` and `config.json` of a freshly initialised tiny VITS into `folder`."""
    import torch
    from TTS.tts.models.vits import Vits

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = tiny_config()
    model = Vits(config)
    with torch.no_grad():  # durations long enough for length_scale to act smoothly
        model.duration_predictor.proj.bias.fill_(math.log(FRAMES_PER_CHARACTER))
    model_path, config_path = folder / "model.pth", folder / "config.json"
    torch.save({"model": model.state_dict()}, model_path)
    config.save_json(str(config_path))
    return model_path, config_path


def main() -> None:
    """Command line: build the tiny model into a folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    model_path, config_path = build(options.folder, options.seed)
    print(model_path, config_path)


if __name__ == "__main__":
    main()
