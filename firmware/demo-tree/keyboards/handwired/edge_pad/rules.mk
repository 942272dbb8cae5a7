# qmk-edge demo tree: handwired/edge_pad has one rotary encoder (keyboard.json "encoder").
ENCODER_ENABLE = yes
