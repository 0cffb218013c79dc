"""Storage errors that reach an operator, each saying what to do about it."""

from __future__ import annotations


class StorageError(Exception):
    """Base class; `explanation` tells the operator what to do."""

    explanation = "Periksa berkas database dan hak aksesnya."

    def __str__(self) -> str:
        return f"{super().__str__()} — {self.explanation}"


class SchemaTooNewError(StorageError):
    explanation = (
        "Database ini dibuat oleh versi bot yang lebih baru. Jalankan versi bot yang sama atau "
        "lebih baru, atau pulihkan cadangan database yang cocok."
    )


class SchemaBehindError(StorageError):
    explanation = (
        "Skema database lebih lama dari versi bot ini dan SPI_AUTO_MIGRATE=false. Jalankan "
        "`spi-bot db migrate` (setelah mencadangkan database), lalu mulai lagi."
    )


class MigrationError(StorageError):
    explanation = (
        "Perubahan skema gagal dan sudah dibatalkan; database tetap pada versi sebelumnya. "
        "Laporkan pesan ini ke tim teknis."
    )


class GroupAborted(Exception):
    """Another transaction of the same group commit failed; run this one again on its own."""


class DatabaseUnavailable(StorageError):
    explanation = (
        "Server PostgreSQL tidak dapat dihubungi. Periksa SPI_DATABASE_URL, jaringan dan "
        "apakah servernya berjalan."
    )
