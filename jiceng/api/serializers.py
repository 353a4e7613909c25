from rest_framework import serializers

from jiceng.members.models import Member
from jiceng.org.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
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
            "lock_version",
            "updated_at",
        ]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    unit = UnitSerializer()


class MemberSerializer(serializers.ModelSerializer):
    """A member as the API shows it: ID number and phone always masked."""

    unit_code = serializers.CharField(source="unit.code", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "unit_id",
            "unit_code",
            "member_type",
            "business_name",
            "operator",
            "credit_code",
            "registration_number",
            "id_number",
            "phone",
            "industry",
            "address",
            "join_date",
            "status",
            "flags",
            "lock_version",
            "updated_at",
        ]
        read_only_fields = fields
