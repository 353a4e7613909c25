from rest_framework import serializers

from jiceng.org.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "level",
            "status",
            "parent_id",
            "parent_code",
            "children_count",
            "contact_person",
            "phone",
            "address",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    unit = UnitSerializer()
