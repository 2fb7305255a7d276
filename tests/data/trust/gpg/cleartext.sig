-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/research/busybox:signed"},"image":{"docker-manifest-digest":"sha256:af74e0604201c61272a0515d9dde467b21fffcf8229618eafc94579efcd61fa2"},"type":"atomic container signature"},"optional":{"creator":"atomic 5.23.1","timestamp":1795330311}}
-----BEGIN PGP SIGNATURE-----

iQGzBAEBCgAdFiEErHcbtsMtWEIhOc8q5c7zepn37y8FAmsCp4MACgkQ5c7zepn3
7y+Xmwv/bzMRb0NqrTwWRiyIiZqDYZV1yS6ZGNSpKFMXhw9iNHL8tXfvpVbpOPW9
W3WlFv/BRAiMJxY0RX8FPm9A2vOLAWC+8QqNpHU8nTv9zY6y6NEF9P+x1LsI5eXW
m/+R/qOp02jS715YcllqOAHRTJlioTVQKlt1insKVD8G8pdHxcqFR8zqyaJK7EB5
0QoGl05AIIpZVrBLmVMsHyyD1XYcwLFI9irNk9jZzXLtJ2FiyTY6Yw5bUoYw5QAP
OLK76tF9k4YulKnSghRk2ge9O2NyiEprAJHNOvwN0Di7GNBZOC5h5Jxlby+JOlZr
pWAYZFZCEjDYnSjDsiz06t/iagw14TC16tTVMaeQWvF2IFbJ1mnrh6sKyGDzs+6s
IW0ukSVuPuXU9z01yjogUezPjtTBlfvAqqeXT24Q6bQ/KHU7bW9Ei/44tuI+rrXE
jjwC1paXZZ37zq8D6GZSZDnR2louZ/xFMlbFDEihtL0SyfdotObiPUjOiIbCGvxj
msfqsgyZ
=sHII
-----END PGP SIGNATURE-----
